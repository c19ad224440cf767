#include "rtp/rtcp_compound.hpp"

#include <string>

namespace picortc::rtp {

Result<size_t> RtcpOpaque::marshal_to(uint8_t* out, size_t capacity) const {
  if (count > kRtcpMaxCount) return make_error(kErrRtcpCountTooLarge, "count " + std::to_string(count));
  if (body.size() % 4 != 0) {
    return make_error(kErrRtcpLengthMismatch, "opaque body of " + std::to_string(body.size()) + " bytes");
  }
  const size_t size = marshal_size();
  Status fits = check_rtcp_marshal(size, capacity);
  if (!fits) return fits.error();
  ByteWriter writer(out, capacity);
  write_rtcp_header(writer, count, type, body.size());
  writer.write_bytes(BytesView(body));
  return writer.size();
}

namespace {

template <typename T>
Result<RtcpPacket> parse_as(const RtcpPacketSpan& span) {
  auto parsed = T::parse_body(span.header, span.body);
  if (!parsed) return parsed.error();
  return RtcpPacket(std::move(*parsed));
}

Result<RtcpPacket> parse_one(const RtcpPacketSpan& span) {
  const RtcpHeader& header = span.header;
  if (SenderReport::accepts(header, span.body)) return parse_as<SenderReport>(span);
  if (ReceiverReport::accepts(header, span.body)) return parse_as<ReceiverReport>(span);
  if (Sdes::accepts(header, span.body)) return parse_as<Sdes>(span);
  if (Bye::accepts(header, span.body)) return parse_as<Bye>(span);
  if (Nack::accepts(header, span.body)) return parse_as<Nack>(span);
  if (Pli::accepts(header, span.body)) return parse_as<Pli>(span);
  if (Fir::accepts(header, span.body)) return parse_as<Fir>(span);
  if (Remb::accepts(header, span.body)) return parse_as<Remb>(span);
  return RtcpPacket(RtcpOpaque{header.count, header.type, span.body.to_vector()});
}

}  // namespace

Result<std::vector<RtcpPacket>> parse_rtcp_compound(BytesView bytes) {
  if (bytes.empty()) return make_error(kErrRtcpEmpty);
  std::vector<RtcpPacket> packets;
  size_t offset = 0;
  while (offset < bytes.size()) {
    auto span = split_rtcp_packet(bytes.subview(offset));
    if (!span) {
      Error error = span.error();
      error.detail += ", packet " + std::to_string(packets.size()) + " at offset " + std::to_string(offset);
      return error;
    }
    auto packet = parse_one(*span);
    if (!packet) return packet.error();
    packets.push_back(std::move(*packet));
    offset += span->total_size;
  }
  return packets;
}

size_t rtcp_compound_marshal_size(const std::vector<RtcpPacket>& packets) {
  size_t size = 0;
  for (const auto& packet : packets) {
    size += std::visit([](const auto& p) { return p.marshal_size(); }, packet);
  }
  return size;
}

Result<size_t> marshal_rtcp_compound_to(const std::vector<RtcpPacket>& packets, uint8_t* out,
                                        size_t capacity) {
  size_t offset = 0;
  for (const auto& packet : packets) {
    auto written =
        std::visit([&](const auto& p) { return p.marshal_to(out + offset, capacity - offset); }, packet);
    if (!written) return written.error();
    offset += *written;
  }
  return offset;
}

Result<std::vector<uint8_t>> marshal_rtcp_compound(const std::vector<RtcpPacket>& packets) {
  std::vector<uint8_t> out(rtcp_compound_marshal_size(packets));
  auto written = marshal_rtcp_compound_to(packets, out.data(), out.size());
  if (!written) return written.error();
  out.resize(*written);
  return out;
}

}  // namespace picortc::rtp
