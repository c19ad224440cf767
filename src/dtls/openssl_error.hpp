#pragma once
// The text of OpenSSL's oldest queued error, for Error details. Shared by
// the two files that adapt OpenSSL (certificate.cpp, dtls_transport.cpp);
// this header stays OpenSSL-free.
#include <string>

namespace picortc::dtls {

// Pops every queued error (so that a later failure does not report a stale
// one) and returns the first, or "unknown OpenSSL error".
std::string openssl_error_text();

}  // namespace picortc::dtls
