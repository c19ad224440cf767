#include "turn/turn_stream_framer.hpp"

#include <string>

#include "stun/stun_message.hpp"
#include "turn/channel_data.hpp"

namespace picortc::turn {

Status TurnStreamFramer::feed(BytesView bytes, const MessageCallback& on_message) {
  if (broken_) return make_error(kErrStreamNotTurn, "after an earlier error");
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  size_t consumed = 0;
  Status status;
  while (buffer_.size() - consumed >= kChannelDataHeaderSize) {
    const BytesView rest(buffer_.data() + consumed, buffer_.size() - consumed);
    size_t size = 0;
    if (rest[0] <= 3) {
      // STUN: the cookie is checked once the whole header is there.
      if (rest.size() < stun::kHeaderSize) break;
      size = stun::stun_message_size(rest);
    } else if (looks_like_channel_data(rest)) {
      const size_t length = (size_t{rest[2]} << 8) | rest[3];
      size = channel_data_size(length, /*padded=*/true);
    }
    if (size == 0) {
      broken_ = true;
      status = make_error(kErrStreamNotTurn, "first bytes " + to_hex(rest.subview(0, 8)));
      break;
    }
    if (rest.size() < size) break;
    on_message(rest.subview(0, size));
    consumed += size;
  }
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed));
  return status;
}

}  // namespace picortc::turn
