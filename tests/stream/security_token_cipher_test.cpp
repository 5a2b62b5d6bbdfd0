// AES-256-GCM for secrets at rest: the GCM known answer (McGrew & Viega test case 16), a
// known blob computed independently (Python cryptography), round trips, and every way a
// blob may not open: tampering anywhere, wrong key, wrong or swapped associated data,
// truncation, bad prefix or base64. Key text: hex or base64 of exactly 32 bytes.
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <stdexcept>
#include <string>

#include "stream/security/encoding.hpp"
#include "stream/security/token_cipher.hpp"

namespace onair::stream::security {
namespace {

constexpr std::string_view kLinkId = "3f2b8c1e-9d4a-4e6b-8f7a-1c2d3e4f5a6b";
// bytes 0x00..0x1f
constexpr std::string_view kKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kKeyBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

TokenNonce nonce_from_hex(std::string_view hex) {
  const auto raw = from_hex(hex);
  TokenNonce nonce{};
  for (std::size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<unsigned char>(raw->at(i));
  return nonce;
}

// The raw nonce|ciphertext|tag behind a v1 blob.
std::string raw_of(const std::string& blob) { return *from_base64(std::string_view(blob).substr(3)); }

TEST(SecurityTokenCipher, GcmKnownAnswerTestCase16) {
  const auto key_text = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
  const auto cipher = TokenCipher::from_key_text(key_text);
  const auto plaintext = *from_hex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657"
      "ba637b39");
  const auto aad = *from_hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const auto blob = cipher.seal_with_nonce(plaintext, aad, nonce_from_hex("cafebabefacedbaddecaf888"));
  ASSERT_TRUE(blob.starts_with("v1:"));
  EXPECT_EQ(
      to_hex(raw_of(blob)),
      "cafebabefacedbaddecaf888"
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393b"
      "a7a0abcc9f662"
      "76fc6ece0f4e1768cddf8853bb2d551b");
  EXPECT_EQ(cipher.open(blob, aad), plaintext);
}

TEST(SecurityTokenCipher, KnownBlobFromAnIndependentImplementation) {
  // Python: "v1:" + b64encode(nonce + AESGCM(key).encrypt(nonce, b"oauth-access-token-xyz", ad))
  const auto cipher = TokenCipher::from_key_text(kKeyHex);
  const auto ad = token_associated_data(kLinkId, "access_token");
  EXPECT_EQ(ad, "onair.stream.link:3f2b8c1e-9d4a-4e6b-8f7a-1c2d3e4f5a6b:access_token");
  constexpr std::string_view kBlob = "v1:AAECAwQFBgcICQoLKGOjb63Io3juJOT4nJ0XBua4qkyJAUSsfC7hpG1udaAEwYXVVoI=";
  EXPECT_EQ(cipher.seal_with_nonce("oauth-access-token-xyz", ad, nonce_from_hex("000102030405060708090a0b")), kBlob);
  EXPECT_EQ(cipher.open(kBlob, ad), "oauth-access-token-xyz");
}

TEST(SecurityTokenCipher, HexAndBase64KeysAreTheSameKey) {
  const auto from_hex_key = TokenCipher::from_key_text(kKeyHex);
  const auto from_b64_key = TokenCipher::from_key_text(std::string("  ") + std::string(kKeyBase64) + "\n");
  const auto ad = token_associated_data(kLinkId, "refresh_token");
  EXPECT_EQ(from_b64_key.open(from_hex_key.seal("refresh", ad), ad), "refresh");
  // Upper-case hex is the same key too.
  std::string upper(kKeyHex);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(TokenCipher::from_key_text(upper).open(from_hex_key.seal("x", ad), ad), "x");
}

TEST(SecurityTokenCipher, KeyTextMustBeExactly32Bytes) {
  for (std::string_view bad : {"", "secret", "00010203",                                              // too short
                               "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00",  // 33 bytes
                               "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g",    // not hex
                               "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",       // base64 without padding
                               "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8AAA==",  // 34 bytes
                               "correct horse battery staple correct horse"}) {
    try {
      (void)TokenCipher::from_key_text(bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const std::invalid_argument& e) {
      // The message names the variable and never echoes the value.
      EXPECT_NE(std::string(e.what()).find("STREAM_TOKEN_ENCRYPTION_KEY"), std::string::npos);
      if (!bad.empty()) {
        EXPECT_EQ(std::string(e.what()).find(bad), std::string::npos);
      }
    }
  }
}

TEST(SecurityTokenCipher, RoundTripsAndFreshNonces) {
  const auto cipher = TokenCipher::from_key_text(kKeyHex);
  const auto ad = token_associated_data(kLinkId, "access_token");
  std::set<std::string> blobs;
  for (const std::string& plain : {std::string(), std::string("t"), std::string(5000, 'x'), std::string("\0\1\2", 3)}) {
    const auto blob = cipher.seal(plain, ad);
    EXPECT_TRUE(TokenCipher::is_sealed(blob));
    EXPECT_EQ(cipher.open(blob, ad), plain);
    blobs.insert(blob);
  }
  EXPECT_EQ(blobs.size(), 4u);
  EXPECT_EQ(cipher.seal("oauth-access-token-xyz", ad).find("oauth"), std::string::npos);
  // The same plaintext twice: different nonces, different blobs.
  EXPECT_NE(cipher.seal("same", ad), cipher.seal("same", ad));
  // An empty associated data is allowed, and differs from a non-empty one.
  const auto no_ad = cipher.seal("v", "");
  EXPECT_EQ(cipher.open(no_ad, ""), "v");
  EXPECT_FALSE(cipher.open(no_ad, ad));
}

TEST(SecurityTokenCipher, EveryTamperedByteIsRejected) {
  const auto cipher = TokenCipher::from_key_text(kKeyHex);
  const auto ad = token_associated_data(kLinkId, "access_token");
  const auto blob = cipher.seal("oauth-access-token-xyz", ad);
  const auto raw = raw_of(blob);
  for (std::size_t i = 0; i < raw.size(); ++i) {  // nonce, ciphertext and tag alike
    for (unsigned char flip : {0x01, 0x80}) {
      auto changed = raw;
      changed[i] = static_cast<char>(changed[i] ^ flip);
      EXPECT_FALSE(cipher.open("v1:" + to_base64(changed), ad)) << "byte " << i;
    }
  }
  EXPECT_FALSE(cipher.open("v1:" + to_base64(raw.substr(0, raw.size() - 1)), ad));  // truncated tag
  EXPECT_FALSE(cipher.open("v1:" + to_base64(raw + "x"), ad));                      // appended byte
  EXPECT_FALSE(cipher.open("v1:" + to_base64(raw.substr(0, 27)), ad));              // shorter than nonce + tag
}

TEST(SecurityTokenCipher, MalformedBlobsAreRejected) {
  const auto cipher = TokenCipher::from_key_text(kKeyHex);
  const auto ad = token_associated_data(kLinkId, "access_token");
  const auto blob = cipher.seal("token", ad);
  EXPECT_FALSE(cipher.open("", ad));
  EXPECT_FALSE(cipher.open("token", ad));                 // a plaintext value
  EXPECT_FALSE(cipher.open("v2:" + blob.substr(3), ad));  // unknown version
  EXPECT_FALSE(cipher.open("v1:" + blob.substr(4), ad));  // broken base64
  EXPECT_FALSE(cipher.open(blob + "\n", ad));             // trailing garbage
  EXPECT_FALSE(cipher.open("v1:", ad));
  EXPECT_FALSE(TokenCipher::is_sealed("token"));
}

TEST(SecurityTokenCipher, WrongKeyIsRejected) {
  const auto cipher = TokenCipher::from_key_text(kKeyHex);
  const auto other = TokenCipher::from_key_text("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const auto ad = token_associated_data(kLinkId, "access_token");
  EXPECT_FALSE(other.open(cipher.seal("token", ad), ad));
  EXPECT_FALSE(TokenCipher::development().open(cipher.seal("token", ad), ad));
  // The development key works, and is a fixed key (a blob survives a restart).
  const auto dev = TokenCipher::development().seal("dev", ad);
  EXPECT_EQ(TokenCipher::development().open(dev, ad), "dev");
}

TEST(SecurityTokenCipher, BlobsCannotMoveBetweenRowsOrColumns) {
  const auto cipher = TokenCipher::from_key_text(kKeyHex);
  const auto blob = cipher.seal("token-of-link-a", token_associated_data(kLinkId, "access_token"));
  EXPECT_FALSE(cipher.open(blob, token_associated_data("00000000-0000-0000-0000-000000000000", "access_token")));
  EXPECT_FALSE(cipher.open(blob, token_associated_data(kLinkId, "refresh_token")));
  EXPECT_TRUE(cipher.open(blob, token_associated_data(kLinkId, "access_token")));
}

}  // namespace
}  // namespace onair::stream::security
