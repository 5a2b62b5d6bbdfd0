#include "platform/access_token.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"

namespace onair::platform {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

AccessClaims claims(std::vector<std::string> roles = {"user"}) {
  return AccessClaims{"account-1", "session-1", std::move(roles), kNow, kNow + 3600};
}

int status_of(const TokenSigner& signer, std::string_view token, std::int64_t now = kNow) {
  try {
    signer.verify(token, now);
    return 200;
  } catch (const ApiError& e) {
    return e.status();
  }
}

TEST(AccessToken, RoundTripKeepsEveryClaim) {
  TokenSigner signer("a-secret-of-enough-length-for-tests-000");
  auto token = signer.mint(claims({"user", "admin"}));
  auto back = signer.verify(token, kNow);
  EXPECT_EQ(back.account_id, "account-1");
  EXPECT_EQ(back.session_id, "session-1");
  EXPECT_EQ(back.roles, (std::vector<std::string>{"user", "admin"}));
  EXPECT_EQ(back.expires_at, kNow + 3600);
  EXPECT_EQ(back.issued_at, kNow);
}

TEST(AccessToken, ExpiredTokenIsRejected) {
  TokenSigner signer("secret");
  auto token = signer.mint(claims());
  EXPECT_EQ(status_of(signer, token, kNow + 3600), 401);
  EXPECT_EQ(status_of(signer, token, kNow + 3599), 200);
}

TEST(AccessToken, OtherSecretIsRejected) {
  TokenSigner signer("secret"), other("other-secret");
  EXPECT_EQ(status_of(other, signer.mint(claims())), 401);
}

// Verified tokens are remembered; the memory must never outlive expiry or cross secrets.
TEST(AccessToken, RememberedTokenStillExpiresAndStaysWithItsSigner) {
  TokenSigner signer("secret"), other("other-secret");
  auto token = signer.mint(claims());
  EXPECT_EQ(status_of(signer, token), 200);
  EXPECT_EQ(status_of(signer, token), 200);
  EXPECT_EQ(status_of(other, token), 401);
  EXPECT_EQ(status_of(signer, token), 200);
  EXPECT_EQ(status_of(signer, token, kNow + 3600), 401);
  auto later = TokenSigner("secret").verify(token, kNow);  // a new signer with the same secret agrees
  EXPECT_EQ(later.account_id, "account-1");
}

TEST(AccessToken, TamperedPayloadIsRejected) {
  TokenSigner signer("secret");
  auto token = signer.mint(claims({"user"}));
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  // Same header and signature, payload claiming admin.
  std::string forged_payload = base64url_encode(R"({"sub":"account-1","roles":["admin"],"iat":0,"exp":1900000000})");
  auto forged = token.substr(0, first + 1) + forged_payload + token.substr(second);
  EXPECT_EQ(status_of(signer, forged), 401);
}

TEST(AccessToken, AlgNoneAndGarbageAreRejected) {
  TokenSigner signer("secret");
  auto none = base64url_encode(R"({"alg":"none"})") + "." +
              base64url_encode(R"({"sub":"a","roles":["admin"],"exp":1900000000})") + ".";
  EXPECT_EQ(status_of(signer, none), 401);
  for (std::string_view bad : {"", ".", "..", "a.b.c", "not a token", "a.b.c.d", "\x01\x02.\x03.\x04"}) {
    EXPECT_EQ(status_of(signer, bad), 401) << bad;
  }
}

TEST(AccessToken, UnknownRolesAreRefusedWhenMintingAndDroppedWhenVerifying) {
  TokenSigner signer("secret");
  EXPECT_THROW(signer.mint(claims({"superuser"})), std::invalid_argument);
  EXPECT_THROW(signer.mint(AccessClaims{"", "", {"user"}, 0, kNow + 10}), std::invalid_argument);
  EXPECT_THROW(TokenSigner(""), std::invalid_argument);
}

TEST(Base64Url, RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    std::string back;
    ASSERT_TRUE(base64url_decode(base64url_encode(bytes), back));
    EXPECT_EQ(back, bytes);
    bytes.push_back(static_cast<char>(n * 37));
  }
  std::string out;
  EXPECT_FALSE(base64url_decode("a", out));
  EXPECT_FALSE(base64url_decode("ab+/", out));
  EXPECT_FALSE(base64url_decode("ab=", out));
}

}  // namespace
}  // namespace onair::platform
