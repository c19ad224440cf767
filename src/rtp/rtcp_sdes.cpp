#include "rtp/rtcp_sdes.hpp"

#include <string>

namespace picortc::rtp {

namespace {
size_t chunk_size(const SdesChunk& chunk) {
  size_t size = 4;  // SSRC
  for (const auto& item : chunk.items)
    size += 2 + item.text.size();
  return size + (4 - size % 4);  // 1..4 null octets end the list and align
}
}  // namespace

Result<Sdes> Sdes::parse_body(const RtcpHeader& header, BytesView body) {
  ByteReader reader(body);
  Sdes sdes;
  for (size_t c = 0; c < header.count; ++c) {
    const size_t chunk_start = reader.position();
    SdesChunk chunk;
    if (!reader.read_u32(chunk.ssrc)) {
      return make_error(kErrRtcpBodyTooShort, "sdes: chunk " + std::to_string(c) + " has no SSRC");
    }
    for (;;) {
      uint8_t type = 0;
      if (!reader.read_u8(type)) {
        return make_error(kErrRtcpBodyTooShort, "sdes: chunk " + std::to_string(c) + " not terminated");
      }
      if (type == kSdesEnd) break;
      uint8_t length = 0;
      BytesView text;
      if (!reader.read_u8(length) || !reader.read_bytes(length, text)) {
        return make_error(kErrRtcpBodyTooShort,
                          "sdes: item type " + std::to_string(type) + " runs past the packet");
      }
      chunk.items.push_back(SdesItem{type, text.to_vector()});
    }
    // Skip the null octets up to the next 32-bit boundary.
    const size_t used = reader.position() - chunk_start;
    const size_t pad = (4 - used % 4) % 4;
    if (!reader.skip(pad)) {
      return make_error(kErrRtcpBodyTooShort, "sdes: chunk " + std::to_string(c) + " padding missing");
    }
    sdes.chunks.push_back(std::move(chunk));
  }
  if (!reader.empty()) {
    return make_error(kErrRtcpLengthMismatch, "sdes: " + std::to_string(reader.remaining()) +
                                                  " bytes after " + std::to_string(header.count) + " chunks");
  }
  return sdes;
}

size_t Sdes::marshal_size() const {
  size_t size = kRtcpHeaderSize;
  for (const auto& chunk : chunks)
    size += chunk_size(chunk);
  return size;
}

Result<size_t> Sdes::marshal_to(uint8_t* out, size_t capacity) const {
  if (chunks.size() > kRtcpMaxCount) {
    return make_error(kErrRtcpCountTooLarge, std::to_string(chunks.size()) + " chunks");
  }
  for (const auto& chunk : chunks) {
    for (const auto& item : chunk.items) {
      if (item.text.size() > 255 || item.type == kSdesEnd) {
        return make_error(kErrRtcpFieldTooLong, "sdes item type " + std::to_string(item.type) + ", " +
                                                    std::to_string(item.text.size()) + " bytes");
      }
    }
  }
  const size_t size = marshal_size();
  Status fits = check_rtcp_marshal(size, capacity);
  if (!fits) return fits.error();
  ByteWriter writer(out, capacity);
  write_rtcp_header(writer, static_cast<uint8_t>(chunks.size()), kRtcpSourceDescription,
                    size - kRtcpHeaderSize);
  for (const auto& chunk : chunks) {
    const size_t start = writer.size();
    writer.write_u32(chunk.ssrc);
    for (const auto& item : chunk.items) {
      writer.write_u8(item.type);
      writer.write_u8(static_cast<uint8_t>(item.text.size()));
      writer.write_bytes(BytesView(item.text));
    }
    const size_t used = writer.size() - start;
    writer.write_zeros(4 - used % 4);
  }
  return writer.size();
}

}  // namespace picortc::rtp
