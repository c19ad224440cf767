#pragma once
// Named errors of the capture module (sources, encoders, producer).
#include <string_view>

namespace picortc::capture {

// Sources.
inline constexpr std::string_view kErrSourceEnded = "capture: source ended";
inline constexpr std::string_view kErrSourceTimeout = "capture: no frame within the timeout";
inline constexpr std::string_view kErrBadFrame = "capture: frame unusable (size or content)";
inline constexpr std::string_view kErrDeviceOpen = "capture: cannot open the device";
inline constexpr std::string_view kErrDeviceGone = "capture: device disappeared";
inline constexpr std::string_view kErrNotCaptureDevice = "capture: not a streaming video capture device";
inline constexpr std::string_view kErrNoSupportedFormat = "capture: device offers no supported pixel format";
inline constexpr std::string_view kErrDeviceIoctl = "capture: device request failed";
inline constexpr std::string_view kErrDeviceMmap = "capture: cannot map device buffers";
inline constexpr std::string_view kErrFileOpen = "capture: cannot open the input file";
inline constexpr std::string_view kErrFileFormat = "capture: input file format unknown or inconsistent";
inline constexpr std::string_view kErrMjpegDecode = "capture: MJPEG frame does not decode";

// Encoders.
inline constexpr std::string_view kErrEncoderConfig = "capture: encoder configuration rejected";
inline constexpr std::string_view kErrEncoderOpen = "capture: encoder failed to open";
inline constexpr std::string_view kErrEncode = "capture: encoding failed";
inline constexpr std::string_view kErrFrameSizeMismatch = "capture: frame size differs from the encoder's";
inline constexpr std::string_view kErrBitrateChange = "capture: bitrate change rejected";

// Command line / options.
inline constexpr std::string_view kErrBadSourceSpec = "capture: bad --source";
inline constexpr std::string_view kErrBadSize = "capture: bad --size (want WxH)";
inline constexpr std::string_view kErrBadOption = "capture: bad option value";

// Frame code (machine-readable frame number in the test pattern).
inline constexpr std::string_view kErrFrameCodeGeometry = "capture: picture too small for a frame code";
inline constexpr std::string_view kErrFrameCodeGuard = "capture: frame code guard cells not found";
inline constexpr std::string_view kErrFrameCodeChecksum = "capture: frame code checksum mismatch";

// Sink / producer.
inline constexpr std::string_view kErrOutputOpen = "capture: cannot open the output";

}  // namespace picortc::capture
