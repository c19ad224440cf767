#include "rtp/rtcp_nack.hpp"

#include <algorithm>
#include <string>

#include "core/seq.hpp"

namespace picortc::rtp {

std::vector<NackPair> Nack::pairs_from_lost(const std::vector<uint16_t>& lost) {
  std::vector<NackPair> pairs;
  if (lost.empty()) return pairs;
  // Order by signed distance from the first entry: wrap-around safe as long
  // as the list spans less than half the sequence space.
  const uint16_t reference = lost.front();
  std::vector<uint16_t> sorted = lost;
  std::sort(sorted.begin(), sorted.end(), [reference](uint16_t a, uint16_t b) {
    return seq16_diff(reference, a) < seq16_diff(reference, b);
  });
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (uint16_t seq : sorted) {
    if (!pairs.empty()) {
      const int32_t distance = seq16_diff(pairs.back().packet_id, seq);
      if (distance >= 1 && distance <= 16) {
        pairs.back().lost_bitmask = static_cast<uint16_t>(pairs.back().lost_bitmask | (1u << (distance - 1)));
        continue;
      }
    }
    pairs.push_back(NackPair{seq, 0});
  }
  return pairs;
}

std::vector<uint16_t> Nack::lost_sequence_numbers() const {
  std::vector<uint16_t> out;
  for (const auto& pair : pairs) {
    out.push_back(pair.packet_id);
    for (int bit = 0; bit < 16; ++bit) {
      if (pair.lost_bitmask & (1u << bit)) out.push_back(static_cast<uint16_t>(pair.packet_id + bit + 1));
    }
  }
  return out;
}

Result<Nack> Nack::parse_body(const RtcpHeader&, BytesView body) {
  ByteReader reader(body);
  Nack nack;
  FeedbackSsrcs ssrcs;
  Status read = read_feedback_ssrcs(reader, ssrcs, "nack");
  if (!read) return read.error();
  nack.sender_ssrc = ssrcs.sender_ssrc;
  nack.media_ssrc = ssrcs.media_ssrc;
  if (reader.remaining() % 4 != 0) {
    return make_error(kErrRtcpLengthMismatch,
                      "nack: FCI of " + std::to_string(reader.remaining()) + " bytes");
  }
  nack.pairs.reserve(reader.remaining() / 4);
  while (!reader.empty()) {
    NackPair pair;
    reader.read_u16(pair.packet_id);
    reader.read_u16(pair.lost_bitmask);
    nack.pairs.push_back(pair);
  }
  return nack;
}

Result<size_t> Nack::marshal_to(uint8_t* out, size_t capacity) const {
  const size_t size = marshal_size();
  Status fits = check_rtcp_marshal(size, capacity);
  if (!fits) return fits.error();
  ByteWriter writer(out, capacity);
  write_rtcp_header(writer, kFmtGenericNack, kRtcpTransportFeedback, size - kRtcpHeaderSize);
  writer.write_u32(sender_ssrc);
  writer.write_u32(media_ssrc);
  for (const auto& pair : pairs) {
    writer.write_u16(pair.packet_id);
    writer.write_u16(pair.lost_bitmask);
  }
  return writer.size();
}

}  // namespace picortc::rtp
