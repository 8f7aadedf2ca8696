# Multi-stage: a static binary (pure Go SQLite, no cgo) on a distroless base,
# run as a non-root user with the database on a volume.
FROM golang:1.26 AS build
# The digest's funnel chart needs a CJK font; distroless has no apt, so it is
# installed here and copied into the final image.
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-droid-fallback \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/dealcoach ./cmd/dealcoach \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
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
ENTRYPOINT ["/usr/local/bin/dealcoach"]
CMD ["serve"]
