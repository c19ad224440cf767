#include "signal/whep_session_handler.hpp"

namespace picortc::signal {

const char* to_string(IngestState state) {
  switch (state) {
    case IngestState::kWaiting:
      return "waiting";
    case IngestState::kReceiving:
      return "receiving";
    case IngestState::kStalled:
      return "stalled";
  }
  return "waiting";
}

}  // namespace picortc::signal
