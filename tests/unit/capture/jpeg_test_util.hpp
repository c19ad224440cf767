#pragma once
// Makes JPEG pictures in the test with libjpeg, from a function giving
// Y, Cb, Cr per pixel (so the expected I420 is known exactly).
#include <cstdio>
#include <functional>
#include <vector>

#include <jpeglib.h>

namespace picortc::capture::testing {

struct Ycc {
  uint8_t y, cb, cr;
};

inline std::vector<uint8_t> make_jpeg(int width, int height, const std::function<Ycc(int x, int y)>& pixel,
                                      int quality = 95) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_YCbCr;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<uint8_t> row(static_cast<size_t>(width) * 3);
  while (cinfo.next_scanline < cinfo.image_height) {
    int y = static_cast<int>(cinfo.next_scanline);
    for (int x = 0; x < width; ++x) {
      Ycc p = pixel(x, y);
      row[3 * x] = p.y;
      row[3 * x + 1] = p.cb;
      row[3 * x + 2] = p.cr;
    }
    JSAMPROW r = row.data();
    jpeg_write_scanlines(&cinfo, &r, 1);
  }
  jpeg_finish_compress(&cinfo);
  std::vector<uint8_t> out(buffer, buffer + size);
  jpeg_destroy_compress(&cinfo);
  std::free(buffer);
  return out;
}

}  // namespace picortc::capture::testing
