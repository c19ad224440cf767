#pragma once
// Loads the SDP test vectors of tests/vectors/sdp/.
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace picortc::sdp::testing {

inline std::string vector_path(const std::string& name) {
  return std::string(PICORTC_SOURCE_DIR) + "/tests/vectors/sdp/" + name;
}

inline std::string load_vector(const std::string& name) {
  std::ifstream in(vector_path(name), std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline const std::vector<std::string>& offer_vectors() {
  static const std::vector<std::string> kNames = {
      "chrome_sendrecv_offer.sdp",   "chrome_whep_recvonly_offer.sdp",
      "chrome_mdns_offer.sdp",       "chrome_headless_no_candidates_offer.sdp",
      "firefox_recvonly_offer.sdp",  "safari_sendrecv_offer.sdp",
      "wildcard_feedback_offer.sdp",
  };
  return kNames;
}

// Replaces every "\r\n" with "\n".
inline std::string to_lf(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != '\r') out += c;
  }
  return out;
}

}  // namespace picortc::sdp::testing
