#include "rtp/rtp_header_extension.hpp"

namespace picortc::rtp {

size_t extension_elements_size(uint16_t profile, const std::vector<ExtensionElement>& elements) {
  const size_t element_header = is_one_byte_extension(profile) ? 1 : 2;
  size_t size = 0;
  for (const auto& element : elements)
    size += element_header + element.data.size();
  return (size + 3) & ~size_t{3};
}

Status validate_extension_elements(uint16_t profile, const std::vector<ExtensionElement>& elements) {
  const bool one_byte = is_one_byte_extension(profile);
  for (const auto& element : elements) {
    const size_t size = element.data.size();
    const bool ok = one_byte ? (element.id >= 1 && element.id <= 14 && size >= 1 && size <= 16)
                             : (element.id >= 1 && size <= 255);
    if (!ok) {
      return make_error(kErrExtensionElementInvalid, std::string(one_byte ? "one-byte" : "two-byte") +
                                                         " form, id " + std::to_string(element.id) + ", " +
                                                         std::to_string(size) + " bytes");
    }
  }
  return {};
}

void write_extension_elements(uint16_t profile, const std::vector<ExtensionElement>& elements,
                              ByteWriter& writer) {
  const bool one_byte = is_one_byte_extension(profile);
  size_t written = 0;
  for (const auto& element : elements) {
    if (one_byte) {
      writer.write_u8(static_cast<uint8_t>((element.id << 4) | ((element.data.size() - 1) & 0x0F)));
      written += 1;
    } else {
      writer.write_u8(element.id);
      writer.write_u8(static_cast<uint8_t>(element.data.size()));
      written += 2;
    }
    writer.write_bytes(BytesView(element.data));
    written += element.data.size();
  }
  writer.write_zeros(((written + 3) & ~size_t{3}) - written);
}

}  // namespace picortc::rtp
