#include "turn/channel_data.hpp"

#include <cassert>
#include <string>

namespace picortc::turn {

Result<ChannelData> parse_channel_data(BytesView bytes) {
  ByteReader reader(bytes);
  uint16_t channel = 0, length = 0;
  if (!reader.read_u16(channel) || !reader.read_u16(length)) {
    return make_error(kErrChannelDataTooShort, "size " + std::to_string(bytes.size()));
  }
  if (!is_valid_channel_number(channel))
    return make_error(kErrBadChannelNumber, "channel " + std::to_string(channel));
  ChannelData out;
  out.channel = channel;
  if (!reader.read_bytes(length, out.data)) {
    return make_error(kErrChannelDataTruncated, "length " + std::to_string(length) + ", " +
                                                    std::to_string(reader.remaining()) + " received");
  }
  return out;
}

size_t marshal_channel_data(uint16_t channel, BytesView data, bool padded, uint8_t* out, size_t capacity) {
  assert(is_valid_channel_number(channel));
  assert(data.size() <= 0xFFFF);
  const size_t total = channel_data_size(data.size(), padded);
  if (capacity < total) return 0;
  ByteWriter writer(out, capacity);
  writer.write_u16(channel);
  writer.write_u16(static_cast<uint16_t>(data.size()));
  writer.write_bytes(data);
  writer.write_zeros(total - writer.size());
  return writer.ok() ? writer.size() : 0;
}

std::vector<uint8_t> marshal_channel_data(uint16_t channel, BytesView data, bool padded) {
  std::vector<uint8_t> out(channel_data_size(data.size(), padded));
  marshal_channel_data(channel, data, padded, out.data(), out.size());
  return out;
}

}  // namespace picortc::turn
