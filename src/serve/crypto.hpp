// Signatures and secrets over OpenSSL: the HMAC-SHA256 that signs webhook
// bodies, and the constant-time comparison of bearer tokens. Nothing here is
// hand-written cryptography.
#pragma once

#include <string>
#include <string_view>

namespace duly::serve {

// The lower-case hex HMAC-SHA256 of `body` under `secret` (64 characters).
[[nodiscard]] std::string hmac_sha256_hex(std::string_view secret, std::string_view body);

// Whether `given` equals `expected`, in time that depends on neither's
// content: both are hashed with SHA-256 and the digests compared with
// CRYPTO_memcmp, so not even the length of the expected token leaks.
[[nodiscard]] bool equal_secrets(std::string_view given, std::string_view expected);

}  // namespace duly::serve
