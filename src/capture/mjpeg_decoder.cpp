#include "capture/mjpeg_decoder.hpp"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>

// clang-format off
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include "capture/capture_errors.hpp"

namespace picortc::capture {
namespace {

struct ErrorManager {
  jpeg_error_mgr base;  // first member: libjpeg passes &base back to us
  jmp_buf escape;
  char message[JMSG_LENGTH_MAX];
};

void on_error_exit(j_common_ptr info) {
  // info->err points at the jpeg_error_mgr that is ErrorManager's first
  // member (standard layout); via void* so strict-alignment targets accept it.
  auto* manager = static_cast<ErrorManager*>(static_cast<void*>(info->err));
  (*info->err->format_message)(info, manager->message);
  longjmp(manager->escape, 1);
}

void on_output_message(j_common_ptr /*info*/) {
  // Warnings about corrupt data: the frame still decodes; say nothing.
}

// Kept free of C++ objects with destructors: longjmp may leave it from inside
// any libjpeg call. Returns 0 on success, 1 on a libjpeg error, 2 on a
// picture we refuse.
int decode_jpeg(jpeg_decompress_struct* cinfo, ErrorManager* errors, const uint8_t* data, size_t size,
                int expected_width, int expected_height,
                uint8_t* (*prepare)(void* context, int width, int height), void* context, int* out_width,
                int* out_height) {
  if (setjmp(errors->escape)) return 1;
  jpeg_create_decompress(cinfo);
  jpeg_mem_src(cinfo, const_cast<unsigned char*>(data), static_cast<unsigned long>(size));
  if (jpeg_read_header(cinfo, TRUE) != JPEG_HEADER_OK) return 1;
  if (cinfo->image_width == 0 || cinfo->image_height == 0 ||
      cinfo->image_width > static_cast<JDIMENSION>(MjpegDecoder::kMaxDimension) ||
      cinfo->image_height > static_cast<JDIMENSION>(MjpegDecoder::kMaxDimension) ||
      cinfo->num_components != 3 ||
      (expected_width > 0 && cinfo->image_width != static_cast<JDIMENSION>(expected_width)) ||
      (expected_height > 0 && cinfo->image_height != static_cast<JDIMENSION>(expected_height))) {
    *out_width = static_cast<int>(cinfo->image_width);
    *out_height = static_cast<int>(cinfo->image_height);
    return 2;
  }
  // YCbCr out: no colour conversion, we only subsample the chroma.
  cinfo->out_color_space = JCS_YCbCr;
  cinfo->dct_method = JDCT_IFAST;
  jpeg_start_decompress(cinfo);
  const int width = static_cast<int>(cinfo->output_width);
  const int height = static_cast<int>(cinfo->output_height);
  *out_width = width;
  *out_height = height;
  uint8_t* rows = prepare(context, width, height);
  if (rows == nullptr) return 2;
  *out_width = width;
  *out_height = height;
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = rows + static_cast<size_t>(cinfo->output_scanline) * static_cast<size_t>(width) * 3;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  return 0;
}

struct PrepareContext {
  std::vector<uint8_t>* rows;
};

uint8_t* prepare_rows(void* context, int width, int height) {
  auto* ctx = static_cast<PrepareContext*>(context);
  ctx->rows->resize(static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
  return ctx->rows->data();
}

}  // namespace

MjpegDecoder::MjpegDecoder() = default;
MjpegDecoder::~MjpegDecoder() = default;

Status MjpegDecoder::decode(const uint8_t* data, size_t size, I420Frame& out, int expected_width,
                            int expected_height) {
  if (data == nullptr || size < 4 || data[0] != 0xFF || data[1] != 0xD8) {
    return make_error(kErrMjpegDecode, "no SOI marker, " + std::to_string(size) + " bytes");
  }
  jpeg_decompress_struct cinfo;
  std::memset(&cinfo, 0, sizeof cinfo);
  ErrorManager errors;
  std::memset(&errors, 0, sizeof errors);
  cinfo.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = on_error_exit;
  errors.base.output_message = on_output_message;
  PrepareContext context{&row_buffer_};
  int width = 0, height = 0;
  int rc = decode_jpeg(&cinfo, &errors, data, size, expected_width, expected_height, prepare_rows, &context,
                       &width, &height);
  jpeg_destroy_decompress(&cinfo);
  if (rc == 1) return make_error(kErrMjpegDecode, errors.message);
  if (rc == 2) {
    return make_error(kErrMjpegDecode,
                      "unsupported picture " + std::to_string(width) + "x" + std::to_string(height));
  }

  out.allocate(width, height);
  const size_t row_bytes = static_cast<size_t>(width) * 3;
  for (int y = 0; y < height; ++y) {
    const uint8_t* src = row_buffer_.data() + static_cast<size_t>(y) * row_bytes;
    uint8_t* dy = out.plane(0) + static_cast<size_t>(y) * static_cast<size_t>(out.stride(0));
    for (int x = 0; x < width; ++x)
      dy[x] = src[3 * x];
  }
  for (int cy = 0; cy < out.chroma_height(); ++cy) {
    const uint8_t* r0 = row_buffer_.data() + static_cast<size_t>(2 * cy) * row_bytes;
    const uint8_t* r1 = (2 * cy + 1 < height) ? r0 + row_bytes : r0;
    uint8_t* du = out.plane(1) + static_cast<size_t>(cy) * static_cast<size_t>(out.stride(1));
    uint8_t* dv = out.plane(2) + static_cast<size_t>(cy) * static_cast<size_t>(out.stride(2));
    for (int cx = 0; cx < out.chroma_width(); ++cx) {
      const int x0 = 2 * cx;
      const int x1 = (x0 + 1 < width) ? x0 + 1 : x0;
      du[cx] =
          static_cast<uint8_t>((r0[3 * x0 + 1] + r0[3 * x1 + 1] + r1[3 * x0 + 1] + r1[3 * x1 + 1] + 2) / 4);
      dv[cx] =
          static_cast<uint8_t>((r0[3 * x0 + 2] + r0[3 * x1 + 2] + r1[3 * x0 + 2] + r1[3 * x1 + 2] + 2) / 4);
    }
  }
  return {};
}

}  // namespace picortc::capture
