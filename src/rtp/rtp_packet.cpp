#include "rtp/rtp_packet.hpp"

#include <string>

namespace picortc::rtp {

Result<size_t> write_rtp_packet(const RtpHeader& header, BytesView payload, uint8_t* out, size_t capacity) {
  const size_t size = kRtpFixedHeaderSize + payload.size();
  if (capacity < size) {
    return make_error(kErrBufferTooSmall, std::to_string(size) + " > " + std::to_string(capacity));
  }
  out[0] = 0x80;  // V=2, P=0, X=0, CC=0
  out[1] = static_cast<uint8_t>((header.marker ? 0x80 : 0) | (header.payload_type & 0x7F));
  out[2] = static_cast<uint8_t>(header.sequence_number >> 8);
  out[3] = static_cast<uint8_t>(header.sequence_number);
  for (int i = 0; i < 4; ++i)
    out[4 + i] = static_cast<uint8_t>(header.timestamp >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i)
    out[8 + i] = static_cast<uint8_t>(header.ssrc >> (24 - 8 * i));
  if (!payload.empty()) std::memcpy(out + kRtpFixedHeaderSize, payload.data(), payload.size());
  return size;
}

Result<RtpPacketView> RtpPacketView::parse(BytesView bytes) {
  ByteReader reader(bytes);
  uint8_t first = 0, second = 0;
  RtpPacketView view;
  if (!reader.read_u8(first) || !reader.read_u8(second) || !reader.read_u16(view.header.sequence_number) ||
      !reader.read_u32(view.header.timestamp) || !reader.read_u32(view.header.ssrc)) {
    return make_error(kErrHeaderTooShort, std::to_string(bytes.size()) + " bytes");
  }
  const uint8_t version = first >> 6;
  if (version != 2) return make_error(kErrBadVersion, "version " + std::to_string(version));
  const bool padding = (first & 0x20) != 0;
  view.has_extension = (first & 0x10) != 0;
  const size_t csrc_count = first & 0x0F;
  view.header.marker = (second & 0x80) != 0;
  view.header.payload_type = second & 0x7F;

  if (!reader.read_bytes(csrc_count * 4, view.csrc_bytes)) {
    return make_error(kErrCsrcTruncated, std::to_string(csrc_count) + " CSRCs, " +
                                             std::to_string(reader.remaining()) + " bytes left");
  }
  if (view.has_extension) {
    uint16_t length_words = 0;
    if (!reader.read_u16(view.extension_profile) || !reader.read_u16(length_words) ||
        !reader.read_bytes(size_t{length_words} * 4, view.extension_body)) {
      return make_error(kErrExtensionTruncated, std::to_string(reader.remaining()) + " bytes left");
    }
    if (is_rfc8285_extension(view.extension_profile)) {
      Status walked = walk_extension_elements(view.extension_profile, view.extension_body,
                                              [](const ExtensionElementView&) {});
      if (!walked) return walked.error();
    }
  }
  BytesView payload_area = reader.rest();
  if (padding) {
    // RFC 3550 §5.1: "The last octet of the padding contains a count of how
    // many padding octets should be ignored, including itself."
    const uint8_t count = payload_area.empty() ? 0 : payload_area[payload_area.size() - 1];
    if (count == 0 || count > payload_area.size()) {
      return make_error(kErrPaddingInvalid, "count " + std::to_string(count) + ", payload area " +
                                                std::to_string(payload_area.size()));
    }
    view.padding_size = count;
    payload_area = payload_area.subview(0, payload_area.size() - count);
  }
  view.payload = payload_area;
  return view;
}

uint32_t RtpPacketView::csrc(size_t index) const {
  ByteReader reader(csrc_bytes.subview(index * 4, 4));
  uint32_t value = 0;
  reader.read_u32(value);
  return value;
}

bool RtpPacketView::find_extension(uint8_t id, BytesView& data) const {
  if (!has_extension || !is_rfc8285_extension(extension_profile)) return false;
  bool found = false;
  Status walked =
      walk_extension_elements(extension_profile, extension_body, [&](const ExtensionElementView& e) {
        if (!found && e.id == id) {
          data = e.data;
          found = true;
        }
      });
  return walked.ok() && found;
}

Result<RtpPacket> RtpPacket::parse(BytesView bytes) {
  auto view = RtpPacketView::parse(bytes);
  if (!view) return view.error();
  return from_view(*view);
}

RtpPacket RtpPacket::from_view(const RtpPacketView& view) {
  RtpPacket packet;
  packet.header = view.header;
  for (size_t i = 0; i < view.csrc_count(); ++i)
    packet.csrcs.push_back(view.csrc(i));
  packet.has_extension = view.has_extension;
  packet.extension_profile = view.extension_profile;
  if (view.has_extension) {
    if (is_rfc8285_extension(view.extension_profile)) {
      // Already validated by parse(); the status cannot fail here.
      Status walked = walk_extension_elements(
          view.extension_profile, view.extension_body, [&](const ExtensionElementView& e) {
            packet.extensions.push_back(ExtensionElement{e.id, e.data.to_vector()});
          });
      (void)walked;
    } else {
      packet.extension_opaque = view.extension_body.to_vector();
    }
  }
  packet.payload = view.payload.to_vector();
  packet.padding_size = view.padding_size;
  return packet;
}

namespace {
size_t extension_body_size(const RtpPacket& packet) {
  if (!packet.has_extension) return 0;
  if (is_rfc8285_extension(packet.extension_profile)) {
    return extension_elements_size(packet.extension_profile, packet.extensions);
  }
  return packet.extension_opaque.size();
}
}  // namespace

size_t RtpPacket::marshal_size() const {
  return kRtpFixedHeaderSize + 4 * csrcs.size() + (has_extension ? 4 + extension_body_size(*this) : 0) +
         payload.size() + padding_size;
}

Result<size_t> RtpPacket::marshal_to(uint8_t* out, size_t capacity) const {
  if (csrcs.size() > kMaxCsrcCount) return make_error(kErrTooManyCsrcs, std::to_string(csrcs.size()));
  const size_t body_size = extension_body_size(*this);
  if (has_extension) {
    if (is_rfc8285_extension(extension_profile)) {
      Status valid = validate_extension_elements(extension_profile, extensions);
      if (!valid) return valid.error();
    } else if (extension_opaque.size() % 4 != 0) {
      return make_error(kErrExtensionUnaligned, std::to_string(extension_opaque.size()) + " bytes");
    }
    if (body_size / 4 > 0xFFFF) return make_error(kErrExtensionTooLong, std::to_string(body_size) + " bytes");
  }
  const size_t size = marshal_size();
  if (capacity < size) {
    return make_error(kErrBufferTooSmall, std::to_string(size) + " > " + std::to_string(capacity));
  }
  ByteWriter writer(out, capacity);
  writer.write_u8(
      static_cast<uint8_t>(0x80 | (padding_size > 0 ? 0x20 : 0) | (has_extension ? 0x10 : 0) | csrcs.size()));
  writer.write_u8(static_cast<uint8_t>((header.marker ? 0x80 : 0) | (header.payload_type & 0x7F)));
  writer.write_u16(header.sequence_number);
  writer.write_u32(header.timestamp);
  writer.write_u32(header.ssrc);
  for (uint32_t csrc : csrcs)
    writer.write_u32(csrc);
  if (has_extension) {
    writer.write_u16(extension_profile);
    writer.write_u16(static_cast<uint16_t>(body_size / 4));
    if (is_rfc8285_extension(extension_profile)) {
      write_extension_elements(extension_profile, extensions, writer);
    } else {
      writer.write_bytes(BytesView(extension_opaque));
    }
  }
  writer.write_bytes(BytesView(payload));
  if (padding_size > 0) {
    writer.write_zeros(padding_size - 1u);
    writer.write_u8(padding_size);
  }
  return writer.size();
}

Result<std::vector<uint8_t>> RtpPacket::marshal() const {
  std::vector<uint8_t> out(marshal_size());
  auto written = marshal_to(out.data(), out.size());
  if (!written) return written.error();
  out.resize(*written);
  return out;
}

bool operator==(const RtpPacket& a, const RtpPacket& b) {
  return a.header == b.header && a.csrcs == b.csrcs && a.has_extension == b.has_extension &&
         (!a.has_extension || (a.extension_profile == b.extension_profile && a.extensions == b.extensions &&
                               a.extension_opaque == b.extension_opaque)) &&
         a.payload == b.payload && a.padding_size == b.padding_size;
}

}  // namespace picortc::rtp
