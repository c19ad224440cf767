#pragma once
// H.264 RTP payloads, RFC 6184 packetization-mode=1 (non-interleaved):
// single NAL unit packets, STAP-A and FU-A.
//
// Rules (docs/rtp.md):
//   - AUD NAL units (type 9) are dropped by default: RTP's marker bit and
//     timestamp already delimit access units (RFC 6184 §5.1) and receivers
//     (browsers) ignore them.
//   - The run of non-VCL NAL units at the start of an access unit (SPS, PPS,
//     SEI ...) is aggregated into STAP-A packets (§5.7.1) when two or more
//     fit the payload budget together; a NAL unit that fits alone goes in a
//     single NAL unit packet (§5.6).
//   - Slices go alone in a single NAL unit packet when they fit, otherwise
//     FU-A fragments of near-equal size (§5.8).
//   - The marker bit is set on the last payload of the access unit.
//
// Fan-out: packetize() fills one reusable buffer with every payload of the
// access unit; each viewer then writes its own RTP header (sequence number,
// SSRC, payload type) in front of each payload (write_rtp_packet). After the
// first few access units no allocation happens: the buffers keep their
// capacity.
//
// Threading: not thread-safe; payload views stay valid until the next
// packetize() call.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "h264/access_unit.hpp"
#include "rtp/rtp_packet.hpp"

namespace picortc::rtp {

inline constexpr std::string_view kErrPayloadBudgetTooSmall =
    "h264 packetizer: payload budget below the minimum for FU-A";

struct H264PacketizerConfig {
  // RTP payload bytes per packet (RTP header, SRTP tag and transport
  // overhead come on top: 1200 + 12 + 16 + UDP/IP stays under 1280, the
  // IPv6 minimum MTU).
  size_t max_payload_size = 1200;
  bool drop_access_unit_delimiters = true;
  bool aggregate_parameter_sets = true;
};

struct H264Payload {
  BytesView bytes;
  bool marker = false;
};

class H264Packetizer {
 public:
  // FU-A needs its 2 header bytes plus at least one byte of NAL data.
  static constexpr size_t kMinPayloadSize = 3;

  explicit H264Packetizer(H264PacketizerConfig config = {}) : config_(config) {}

  // Replaces the previous payloads with those of `au`. An access unit with
  // no NAL unit left (empty, or AUD only) yields no payload.
  Status packetize(const h264::AccessUnit& au);

  size_t payload_count() const { return ranges_.size(); }
  H264Payload payload(size_t index) const {
    const Range& r = ranges_[index];
    return H264Payload{BytesView(buffer_.data() + r.offset, r.size), index + 1 == ranges_.size()};
  }
  // Total payload bytes of the last access unit.
  size_t payload_bytes() const { return buffer_.size(); }
  const H264PacketizerConfig& config() const { return config_; }

 private:
  struct Range {
    uint32_t offset;
    uint32_t size;
  };
  void add_single(BytesView nal);
  void add_stap_a(const h264::AccessUnit& au, size_t first, size_t end);
  void add_fu_a(BytesView nal);
  bool skip(uint8_t nal_type, BytesView nal) const;

  H264PacketizerConfig config_;
  std::vector<uint8_t> buffer_;
  std::vector<Range> ranges_;
};

// Writes the RTP header for payload `index` of `packetizer` and the payload
// into `out`; `header.marker` is taken from the payload. Returns the size.
Result<size_t> write_h264_rtp_packet(const H264Packetizer& packetizer, size_t index, RtpHeader header,
                                     uint8_t* out, size_t capacity);

}  // namespace picortc::rtp
