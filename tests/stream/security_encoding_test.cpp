// Hex and base64: RFC 4648 vectors, and the strict decoders refuse every non-canonical form.
#include <gtest/gtest.h>

#include <string>

#include "stream/security/encoding.hpp"

namespace onair::stream::security {
namespace {

TEST(SecurityEncoding, HexRoundTripAndCase) {
  const std::string bytes("\x00\x01\x7f\x80\xfe\xff", 6);
  EXPECT_EQ(to_hex(bytes), "00017f80feff");
  EXPECT_EQ(from_hex("00017f80feff"), bytes);
  EXPECT_EQ(from_hex("00017F80FEFF"), bytes);
  EXPECT_EQ(from_hex(""), std::string());
}

TEST(SecurityEncoding, HexRejectsOddLengthAndNonHex) {
  EXPECT_FALSE(from_hex("abc"));
  EXPECT_FALSE(from_hex("zz"));
  EXPECT_FALSE(from_hex("0g"));
  EXPECT_FALSE(from_hex(" 00"));
}

TEST(SecurityEncoding, Base64Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(to_base64(plain), encoded);
    EXPECT_EQ(from_base64(encoded), std::string(plain)) << encoded;
  }
  const std::string all_bytes = [] {
    std::string s;
    for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
    return s;
  }();
  EXPECT_EQ(from_base64(to_base64(all_bytes)), all_bytes);
}

TEST(SecurityEncoding, Base64RejectsNonCanonicalInput) {
  EXPECT_FALSE(from_base64("Zg"));        // unpadded
  EXPECT_FALSE(from_base64("Zg="));       // wrong length
  EXPECT_FALSE(from_base64("Zh=="));      // unused bits set (canonical is Zg==)
  EXPECT_FALSE(from_base64("Zm9="));      // unused bits set (canonical is Zm8=)
  EXPECT_FALSE(from_base64("Z==="));      // three pads
  EXPECT_FALSE(from_base64("===="));      // only pads
  EXPECT_FALSE(from_base64("Zg==Zg=="));  // padding in the middle
  EXPECT_FALSE(from_base64("Zm9v\n"));    // whitespace
  EXPECT_FALSE(from_base64("Zm-_"));      // URL alphabet
}

}  // namespace
}  // namespace onair::stream::security
