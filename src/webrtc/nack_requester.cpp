#include "webrtc/nack_requester.hpp"

#include <algorithm>

namespace picortc::webrtc {

bool NackRequester::on_packet(uint16_t seq, TimePoint now) {
  bool first = !unwrapper_.started();
  int64_t previous_highest = unwrapper_.highest();
  int64_t unwrapped = unwrapper_.unwrap(seq);
  if (first) return false;
  if (unwrapped <= previous_highest) {
    // Late, reordered or a retransmission that answers our NACK.
    auto it = missing_.find(unwrapped);
    if (it != missing_.end()) {
      missing_.erase(it);
      ++recovered_;
    }
    return false;
  }
  int64_t gap = unwrapped - previous_highest - 1;
  if (gap <= 0) return false;
  if (static_cast<size_t>(gap) > config_.max_missing) {
    given_up_ += missing_.size() + static_cast<uint64_t>(gap);
    missing_.clear();
    return true;
  }
  for (int64_t s = previous_highest + 1; s < unwrapped; ++s)
    missing_[s] = Entry{0, now + config_.initial_delay};
  while (missing_.size() > config_.max_missing) {
    missing_.erase(missing_.begin());
    ++given_up_;
  }
  return false;
}

void NackRequester::assume_missing_before_first(size_t count, TimePoint now) {
  if (!unwrapper_.started()) return;
  count = std::min(count, config_.max_missing - std::min(config_.max_missing, missing_.size()));
  const int64_t first = unwrapper_.highest();
  for (int64_t s = first - static_cast<int64_t>(count); s < first; ++s)
    missing_.emplace(s, Entry{0, now + config_.initial_delay});
}

void NackRequester::collect_due(TimePoint now, Duration rtt, std::vector<uint16_t>& out) {
  Duration interval = std::max(config_.retry_interval, rtt);
  for (auto it = missing_.begin(); it != missing_.end();) {
    Entry& entry = it->second;
    if (entry.due > now) {
      ++it;
      continue;
    }
    if (entry.requests >= config_.max_requests) {
      it = missing_.erase(it);
      ++given_up_;
      continue;
    }
    out.push_back(static_cast<uint16_t>(it->first & 0xffff));
    ++entry.requests;
    entry.due = now + interval;
    ++it;
  }
}

void NackRequester::reset() {
  unwrapper_.reset();
  missing_.clear();
}

}  // namespace picortc::webrtc
