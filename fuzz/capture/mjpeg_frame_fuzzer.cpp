// Camera bytes into the MJPEG decoder: whatever arrives, decode() returns a
// picture or a named error; it never aborts (libjpeg's exit()) or reads out
// of bounds. A decoded picture has the size its header promised, within the
// decoder's bound.
#include <cassert>
#include <cstddef>
#include <cstdint>

#include "capture/capture_errors.hpp"
#include "capture/mjpeg_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static picortc::capture::MjpegDecoder decoder;
  picortc::capture::I420Frame picture;
  picortc::Status status = decoder.decode(data, size, picture);
  if (status) {
    assert(picture.width() > 0 && picture.width() <= picortc::capture::MjpegDecoder::kMaxDimension);
    assert(picture.height() > 0 && picture.height() <= picortc::capture::MjpegDecoder::kMaxDimension);
    assert(picture.bytes().size() ==
           picortc::capture::I420Frame::byte_size(picture.width(), picture.height()));
  } else {
    assert(status.error().code == picortc::capture::kErrMjpegDecode);
  }
  return 0;
}
