#include "dtls/openssl_error.hpp"

#include <openssl/err.h>

namespace picortc::dtls {

std::string openssl_error_text() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace picortc::dtls
