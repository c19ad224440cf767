#include "dtls/fingerprint.hpp"

namespace picortc::dtls {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

constexpr HashFunction kAllHashFunctions[] = {HashFunction::kSha1, HashFunction::kSha256,
                                              HashFunction::kSha384, HashFunction::kSha512};

}  // namespace

std::string_view hash_function_name(HashFunction hash) {
  switch (hash) {
    case HashFunction::kSha1:
      return "sha-1";
    case HashFunction::kSha256:
      return "sha-256";
    case HashFunction::kSha384:
      return "sha-384";
    case HashFunction::kSha512:
      return "sha-512";
  }
  return "sha-256";
}

size_t hash_digest_size(HashFunction hash) {
  switch (hash) {
    case HashFunction::kSha1:
      return 20;
    case HashFunction::kSha256:
      return 32;
    case HashFunction::kSha384:
      return 48;
    case HashFunction::kSha512:
      return 64;
  }
  return 32;
}

Result<HashFunction> parse_hash_function(std::string_view name) {
  for (HashFunction hash : kAllHashFunctions) {
    if (equals_ignoring_case(name, hash_function_name(hash))) return hash;
  }
  return make_error(kErrUnknownHashFunction, std::string(name.substr(0, 32)));
}

Result<Fingerprint> Fingerprint::parse(std::string_view sdp_value) {
  std::string_view text = trim(sdp_value);
  size_t space = 0;
  while (space < text.size() && !is_space(text[space]))
    ++space;
  if (space == 0 || space == text.size()) {
    return make_error(kErrFingerprintSyntax, "no space between hash function and digest");
  }
  Result<HashFunction> hash = parse_hash_function(text.substr(0, space));
  if (!hash) return hash.error();
  std::string_view hex = trim(text.substr(space));

  // 2HEX *(":" 2HEX): groups of exactly two digits, single colons between.
  Fingerprint out;
  out.hash = *hash;
  size_t pos = 0;
  while (true) {
    if (pos + 2 > hex.size())
      return make_error(kErrFingerprintSyntax, "truncated hex pair at offset " + std::to_string(pos));
    int high = hex_value(hex[pos]);
    int low = hex_value(hex[pos + 1]);
    if (high < 0 || low < 0)
      return make_error(kErrFingerprintSyntax, "bad hex digit at offset " + std::to_string(pos));
    out.digest.push_back(static_cast<uint8_t>((high << 4) | low));
    pos += 2;
    if (pos == hex.size()) break;
    if (hex[pos] != ':')
      return make_error(kErrFingerprintSyntax, "expected ':' at offset " + std::to_string(pos));
    ++pos;
  }
  if (out.digest.size() != hash_digest_size(out.hash)) {
    return make_error(kErrFingerprintLength, std::string(hash_function_name(out.hash)) + " has " +
                                                 std::to_string(out.digest.size()) + " bytes, want " +
                                                 std::to_string(hash_digest_size(out.hash)));
  }
  return out;
}

std::string Fingerprint::to_sdp() const {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out(hash_function_name(hash));
  out += ' ';
  for (size_t i = 0; i < digest.size(); ++i) {
    if (i > 0) out += ':';
    out += kDigits[digest[i] >> 4];
    out += kDigits[digest[i] & 0x0f];
  }
  return out;
}

}  // namespace picortc::dtls
