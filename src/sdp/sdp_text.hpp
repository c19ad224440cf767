#pragma once
// Small text helpers shared by the SDP parser, the candidate parser and the
// sdpfrag parser. Internal to the sdp module.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace picortc::sdp::text {

// Splits on runs of spaces (RFC 8866 uses a single SP, but browsers and
// hand-written SDP sometimes double them; tokens never contain spaces).
std::vector<std::string_view> split_tokens(std::string_view s);

// Splits on one separator character, keeping empty fields.
std::vector<std::string_view> split(std::string_view s, char separator);

std::string_view trim(std::string_view s);

// Unsigned decimal without sign, leading '+' or whitespace; false on
// overflow of `max` or any other character.
bool parse_u64(std::string_view s, uint64_t max, uint64_t& out);
bool parse_u32(std::string_view s, uint32_t& out);
bool parse_u16(std::string_view s, uint16_t& out);

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);

// "line 7: a=rtpmap:xx" with the text cut to a readable length.
std::string line_detail(size_t line_number, std::string_view line);

}  // namespace picortc::sdp::text
