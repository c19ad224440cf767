#include <gtest/gtest.h>

#include "viewer/whep_client.hpp"

namespace picortc::viewer {
namespace {

TEST(WhepUrlTest, ParsesHostPortAndPath) {
  auto url = parse_whep_url("http://127.0.0.1:8080/whep/cam");
  ASSERT_TRUE(url.ok()) << url.error().message();
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->path, "/whep/cam");
  EXPECT_EQ(url->origin(), "http://127.0.0.1:8080");
}

TEST(WhepUrlTest, DefaultPortsAndIpv6) {
  auto https = parse_whep_url("https://cam.local/whep/cam");
  ASSERT_TRUE(https.ok());
  EXPECT_EQ(https->port, 443);
  auto v6 = parse_whep_url("http://[::1]:9000/whep/x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->origin(), "http://[::1]:9000");
}

TEST(WhepUrlTest, BadUrlsAreRefused) {
  for (const char* bad : {"ftp://host/whep/cam", "http://", "http://host:/x", "http://host:99999/x",
                          "host:80/x", "http://[::1/x", "http://user@host/x"}) {
    auto url = parse_whep_url(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.error().code, kErrBadUrl) << bad;
  }
}

TEST(WhepUrlTest, LocationPathFromRelativeAndAbsolute) {
  EXPECT_EQ(location_path("/whep/cam/abc"), "/whep/cam/abc");
  EXPECT_EQ(location_path("http://127.0.0.1:8080/whep/cam/abc"), "/whep/cam/abc");
}

TEST(WhepResponseTest, OnlyTransientFailuresAreRetryable) {
  WhepResponse none;
  EXPECT_TRUE(none.retryable());
  WhepResponse r;
  r.transport_ok = true;
  for (int status : {500, 503, 408, 429}) {
    r.status = status;
    EXPECT_TRUE(r.retryable()) << status;
  }
  for (int status : {400, 401, 403, 404, 406}) {
    r.status = status;
    EXPECT_FALSE(r.retryable()) << status;
  }
}

}  // namespace
}  // namespace picortc::viewer
