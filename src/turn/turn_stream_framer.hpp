#pragma once
// Cuts a TCP/TLS byte stream from a TURN server into whole messages: STUN
// messages (20-byte header + Message Length, RFC 8489 §6.2.2) and ChannelData
// messages (4-byte header + Length padded to 4, RFC 8656 §12.5).
#include <functional>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace picortc::turn {

inline constexpr std::string_view kErrStreamNotTurn =
    "turn: stream bytes are neither a STUN message nor ChannelData (connection must close)";

class TurnStreamFramer {
 public:
  using MessageCallback = std::function<void(BytesView message)>;

  // Appends `bytes` and calls `on_message` for every complete message, in
  // order. After an error the stream has lost its framing: the caller closes
  // the connection; later calls keep failing.
  Status feed(BytesView bytes, const MessageCallback& on_message);
  size_t buffered() const { return buffer_.size(); }

 private:
  std::vector<uint8_t> buffer_;
  bool broken_ = false;
};

}  // namespace picortc::turn
