# Multi-stage: a static binary (pure Go SQLite, no cgo) on a distroless base,
# run as a non-root user with the database on a volume.
#
# Base images are named in full (registry/namespace/name:exact-tag), which
# engines without a default registry (podman, containerd) need. Pin them by
# digest where you build, e.g.
#   docker buildx imagetools inspect docker.io/library/golang:1.26.8-bookworm
# and append @sha256:… to the names below (or pass --build-arg GO_IMAGE=…).
ARG GO_IMAGE=docker.io/library/golang:1.26.8-bookworm
ARG RUN_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${GO_IMAGE} AS build
# The digest's funnel chart needs a CJK font; distroless has no apt, so it is
# installed here (Debian 12, as the final image) and copied over.
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-droid-fallback \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/dealcoach ./cmd/dealcoach \
 && mkdir -p /out/data

FROM ${RUN_IMAGE}
COPY --from=build /out/dealcoach /usr/local/bin/dealcoach
COPY --from=build /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
COPY --from=build /usr/share/doc/fonts-droid-fallback/copyright /usr/share/doc/fonts-droid-fallback/copyright
# The volume's mount point must belong to the non-root user (65532).
COPY --from=build --chown=65532:65532 /out/data /data
ENV DEALCOACH_DB=/data/dealcoach.db \
    DEALCOACH_ADDR=:8080
VOLUME /data
EXPOSE 8080
USER 65532:65532
# Distroless has no shell or curl: the binary asks its own /healthz.
# (podman keeps HEALTHCHECK only when building with --format docker.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["/usr/local/bin/dealcoach", "healthcheck"]
# SIGTERM (docker stop) drains in-flight work within 10 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/dealcoach"]
CMD ["serve"]
