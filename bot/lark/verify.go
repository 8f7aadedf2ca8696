package lark

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/dealcoach/dealcoach/bot/adapter/replay"
)

// The headers Lark signs a callback with when an Encrypt Key is set.
const (
	headerLarkTimestamp = "X-Lark-Request-Timestamp"
	headerLarkNonce     = "X-Lark-Request-Nonce"
	headerLarkSignature = "X-Lark-Signature"
)

// defaultWindow is how far a callback's timestamp may be from now, either
// way, when Verifier.Window is unset.
const defaultWindow = 5 * time.Minute

// ErrRefused is wrapped by every verification failure: the caller answers
// 401 and does nothing else.
var ErrRefused = errors.New("lark: request refused")

// ErrSeen is returned, with the plaintext, for a genuine callback whose
// signature was seen before: a retry that reused its headers, or a
// captured request sent again. The caller acknowledges it (200) and does
// nothing else: an error would make Lark's retry look like a failure.
var ErrSeen = errors.New("lark: request seen before")

// Verifier checks Lark's HTTP callbacks (events and card actions):
// signature, timestamp window, replay, decryption and verification token.
//
// With an EncryptKey, a callback must be signed, fresh, encrypted and
// carry the Token. With no EncryptKey, Lark neither signs nor encrypts,
// so the Token is all there is to check: Open accepts that only when the
// operator opted in with AllowPlain, and refuses every request otherwise
// (the adapter already refuses to start in HTTP mode that way). The SDK's
// own dispatcher must not be trusted with this: without a key it checks
// the token on the URL check alone, its signature compare is not
// constant-time and it has no timestamp window.
type Verifier struct {
	Token      string // LARK_VERIFICATION_TOKEN: required; with none, every request is refused
	EncryptKey string // LARK_ENCRYPT_KEY: "" only when AllowPlain
	AllowPlain bool   // accept unencrypted, unsigned callbacks (token check only); the operator must opt in
	// Window is how far a timestamp may be from Now, either way; default
	// five minutes. With Replays, at most replay.Window/2 is used: the
	// guard only remembers a signature that long.
	Window  time.Duration
	Replays *replay.Guard    // signatures seen; nil: no replay check
	Now     func() time.Time // default time.Now
}

// callbackHead is a payload as read, once: what Open checks (its kind
// and its token) and, for the events the adapter handles, the event
// itself, so that nothing parses the payload again.
type callbackHead struct {
	Encrypt   *string                `json:"encrypt"`
	Schema    string                 `json:"schema"`
	Type      string                 `json:"type"`
	Token     string                 `json:"token"` // v1 events, url_verification, old card callbacks
	Challenge string                 `json:"challenge"`
	Header    *larkevent.EventHeader `json:"header"` // schema 2.0: token, event type, tenant
	Event     *eventBody             `json:"event"`

	// eventErr is a field of the event that is not of the type the
	// handled events give it (as the SDK would have refused it); events
	// of other types may carry fields of those names in other shapes.
	eventErr error
}

// eventBody is the event of either kind handled (their fields do not
// overlap), read in the same parse as the head.
type eventBody struct {
	larkim.P2MessageReceiveV1Data
	callback.CardActionTriggerRequest
}

// Open verifies one callback (header and raw body as received) and
// returns its plaintext JSON payload. Every error wraps ErrRefused.
//
// The URL check (url_verification) is the one callback accepted without
// signature headers when an EncryptKey is set. Lark's guide to configuring
// the request URL says that with an Encrypt Key the check arrives as
// {"encrypt": "..."}, to be decrypted and its challenge echoed within one
// second; it asks for signature checks on pushed events but does not say
// the check is signed, and Lark's own SDKs do not require it (oapi-sdk-go
// skips VerifySign for url_verification; node-sdk answers the challenge
// after decrypting alone). So an unsigned one is accepted when it
// decrypts to {"type": "url_verification", "token": Token, ...}: forging
// one takes the key and the token, and answering one has no effect but
// the echo. When any signature header is present, all are checked as on
// any other callback.
func (v *Verifier) Open(header http.Header, body []byte) ([]byte, error) {
	plain, _, err := v.open(header, body)
	return plain, err
}

// open is Open, also returning the payload as read: the one parse of it
// that the adapter dispatches on.
func (v *Verifier) open(header http.Header, body []byte) ([]byte, *callbackHead, error) {
	if v.Token == "" {
		return nil, nil, refuse("no verification token is configured")
	}
	if v.EncryptKey == "" {
		if !v.AllowPlain {
			return nil, nil, refuse("no encrypt key is configured and plain callbacks are not allowed")
		}
		return v.openPlain(body)
	}
	ts, nonce, sig := header.Get(headerLarkTimestamp), header.Get(headerLarkNonce), header.Get(headerLarkSignature)
	signed := ts != "" || nonce != "" || sig != ""
	seen := false
	if signed {
		var err error
		if seen, err = v.checkSignature(ts, nonce, sig, body); err != nil {
			return nil, nil, err
		}
	}
	outer, herr := readHead(body)
	if herr == nil && outer.Encrypt == nil && isChallenge(outer) {
		// A plaintext URL check while an Encrypt Key is set: its token is
		// all there is to check, and its echo has no effect.
		if err := v.checkToken(outer); err != nil {
			return nil, nil, err
		}
		return body, outer, nil
	}
	if herr != nil {
		outer = nil // read again below, for its "encrypt" alone
	}
	plain, head, err := v.decryptBody(body, outer)
	if err != nil {
		return nil, nil, err
	}
	if !signed && !isChallenge(head) {
		return nil, nil, refuse("missing signature headers")
	}
	if err := v.checkToken(head); err != nil {
		return nil, nil, err
	}
	if seen {
		return plain, head, ErrSeen
	}
	return plain, head, nil
}

// isChallenge tells the URL check: a url_verification in the plain shape
// Lark documents for it (no schema 2.0 header).
func isChallenge(head *callbackHead) bool {
	return head.Type == "url_verification" && head.Header == nil && head.Schema == ""
}

// Forget lets a callback whose handling failed be handled when Lark sends
// it again, possibly with the same headers.
func (v *Verifier) Forget(header http.Header) {
	if sig := header.Get(headerLarkSignature); sig != "" && v.Replays != nil {
		v.Replays.Forget(sig)
	}
}

// openPlain checks an unencrypted callback: its token is all there is.
func (v *Verifier) openPlain(body []byte) ([]byte, *callbackHead, error) {
	head, err := readHead(body)
	if err != nil {
		return nil, nil, err
	}
	if head.Encrypt != nil {
		return nil, nil, refuse("encrypted callback, but no encrypt key is configured")
	}
	if err := v.checkToken(head); err != nil {
		return nil, nil, err
	}
	return body, head, nil
}

// checkSignature checks the three signature headers against the raw body
// and the timestamp against the window, then tells whether the signature
// was seen before.
func (v *Verifier) checkSignature(ts, nonce, sig string, body []byte) (seen bool, err error) {
	if ts == "" || nonce == "" || sig == "" {
		return false, refuse("missing signature headers")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false, refuse("malformed timestamp")
	}
	now := v.now()
	// In whole seconds, as Lark sends them: no time.Time arithmetic to
	// overflow on a forged timestamp.
	w := int64(v.window() / time.Second)
	if sec < now.Unix()-w || sec > now.Unix()+w {
		return false, refuse("timestamp outside the window")
	}
	want := Signature(ts, nonce, v.EncryptKey, body)
	if subtle.ConstantTimeCompare([]byte(sig), []byte(want)) != 1 {
		return false, refuse("signature mismatch")
	}
	return v.Replays != nil && !v.Replays.Fresh(sig, now), nil
}

// decryptBody opens {"encrypt": "..."} (read already as outer, or nil)
// and reads the plaintext.
func (v *Verifier) decryptBody(body []byte, outer *callbackHead) ([]byte, *callbackHead, error) {
	var enc *string
	if outer != nil {
		enc = outer.Encrypt
	} else {
		var o struct {
			Encrypt *string `json:"encrypt"`
		}
		if err := json.Unmarshal(body, &o); err != nil {
			return nil, nil, fmt.Errorf("%w: malformed body: %w", ErrRefused, err)
		}
		enc = o.Encrypt
	}
	if enc == nil {
		return nil, nil, refuse("plaintext callback, but an encrypt key is configured")
	}
	plain, derr := decrypt(*enc, v.EncryptKey)
	if plain == nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrRefused, derr)
	}
	// Parsed even when the padding is bad (see decrypt), then the padding
	// error comes first.
	head, err := readHead(plain)
	if derr != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrRefused, derr)
	}
	if err != nil {
		return nil, nil, err
	}
	if head.Encrypt != nil {
		return nil, nil, refuse("encrypted payload inside an encrypted payload")
	}
	return plain, head, nil
}

// checkToken compares the payload's verification token with Token in
// constant time: header.token in schema 2.0 payloads, the top-level token
// in the others.
func (v *Verifier) checkToken(head *callbackHead) error {
	token := head.Token
	switch {
	case head.Header != nil:
		token = head.Header.Token
	case head.Schema != "":
		return refuse("schema " + strconv.Quote(head.Schema) + " payload without a header")
	}
	if token == "" {
		return refuse("missing verification token")
	}
	// Hashed first, so that the comparison takes the same time whatever
	// the lengths.
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(v.Token))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return refuse("wrong verification token")
	}
	return nil
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) window() time.Duration {
	w := v.Window
	if w <= 0 {
		w = defaultWindow
	}
	if v.Replays != nil && w > replay.Window/2 {
		w = replay.Window / 2
	}
	return w
}

func readHead(payload []byte) (*callbackHead, error) {
	var head callbackHead
	if err := json.Unmarshal(payload, &head); err != nil {
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) || (typeErr.Field != "event" && !strings.HasPrefix(typeErr.Field, "event.")) {
			return nil, fmt.Errorf("%w: malformed payload: %w", ErrRefused, err)
		}
		// The rest was read: the event is judged by its type, later.
		head.eventErr = err
	}
	return &head, nil
}

func refuse(why string) error {
	return fmt.Errorf("%w: %s", ErrRefused, why)
}

// Signature is Lark's request signature:
// hex(SHA-256(timestamp + nonce + encryptKey + body)), a plain hash, not
// an HMAC.
func Signature(timestamp, nonce, encryptKey string, body []byte) string {
	h := sha256.New()
	io.WriteString(h, timestamp)
	io.WriteString(h, nonce)
	io.WriteString(h, encryptKey)
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// errBadPadding is decrypt's one error that comes with a plaintext.
var errBadPadding = errors.New("lark: decrypt: bad padding")

// Decrypt opens Lark's "encrypt" field: base64, AES-256-CBC with key
// SHA-256(encryptKey), IV = the first 16 bytes, PKCS#7 padding checked and
// removed. (The SDK's EventDecrypt leaves the padding on.)
func Decrypt(encrypted, encryptKey string) ([]byte, error) {
	plain, err := decrypt(encrypted, encryptKey)
	if err != nil {
		return nil, err
	}
	return plain, nil
}

// decrypt is Decrypt, except that on bad padding it returns the plaintext,
// padding and all, with errBadPadding. Open parses it either way and the
// padding is checked in constant time: on the unsigned url_verification
// path anyone may send ciphertext, and bad padding that answered faster
// than a bad payload would be a padding oracle.
func decrypt(encrypted, encryptKey string) ([]byte, error) {
	buf, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, fmt.Errorf("lark: decrypt: %w", err)
	}
	// The IV, then at least one block: PKCS#7 always adds one byte.
	if len(buf) < 2*aes.BlockSize {
		return nil, errors.New("lark: decrypt: ciphertext too short")
	}
	if len(buf)%aes.BlockSize != 0 {
		return nil, errors.New("lark: decrypt: ciphertext is not a multiple of the block size")
	}
	iv, plain := buf[:aes.BlockSize], buf[aes.BlockSize:]
	cipher.NewCBCDecrypter(blockCipher(encryptKey), iv).CryptBlocks(plain, plain)
	n, ok := padding(plain)
	if !ok {
		return plain, errBadPadding
	}
	return plain[:len(plain)-n], nil
}

// padding reads the PKCS#7 padding of plain (whole blocks, at least one)
// in constant time: its length, and whether it is well formed.
func padding(plain []byte) (n int, ok bool) {
	n = int(plain[len(plain)-1])
	good := subtle.ConstantTimeLessOrEq(1, n) & subtle.ConstantTimeLessOrEq(n, aes.BlockSize)
	for i := 1; i <= aes.BlockSize; i++ {
		inPad := subtle.ConstantTimeLessOrEq(i, n)
		same := subtle.ConstantTimeByteEq(plain[len(plain)-i], byte(n))
		good &= subtle.ConstantTimeSelect(inPad, same, 1)
	}
	return n, good == 1
}

// Encrypt is Decrypt's inverse with a random IV, for tests and benchmarks
// that play Lark's side.
func Encrypt(plain []byte, encryptKey string) (string, error) {
	n := aes.BlockSize - len(plain)%aes.BlockSize
	buf := make([]byte, aes.BlockSize+len(plain)+n)
	iv, body := buf[:aes.BlockSize], buf[aes.BlockSize:]
	if _, err := rand.Read(iv); err != nil {
		return "", fmt.Errorf("lark: encrypt: %w", err)
	}
	copy(body, plain)
	for i := len(plain); i < len(body); i++ {
		body[i] = byte(n)
	}
	cipher.NewCBCEncrypter(blockCipher(encryptKey), iv).CryptBlocks(body, body)
	return base64.StdEncoding.EncodeToString(buf), nil
}

// blockCipher is AES-256 keyed with SHA-256(encryptKey), as Lark does.
func blockCipher(encryptKey string) cipher.Block {
	key := sha256.Sum256([]byte(encryptKey))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // unreachable: a 32-byte key is always valid
	}
	return block
}
