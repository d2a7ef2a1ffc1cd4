#pragma once
// A throwaway certificate authority made at test time with OpenSSL, so TLS tests need no files
// in the repository and no certificate that can expire in the tree. Keys are EC P-256 (fast).
// The header stays free of OpenSSL types: everything crosses it as PEM text.

#include <string>
#include <vector>

namespace feedsync::testing {

struct TestCertificate {
  std::string cert_pem;
  std::string key_pem;
};

class TestCertificateAuthority {
 public:
  explicit TestCertificateAuthority(const std::string& common_name = "feedsync test CA");

  const std::string& ca_pem() const { return ca_.cert_pem; }

  // A server certificate for these subject alternative names, valid from a minute ago for a day,
  // signed by this CA. Throws std::runtime_error if OpenSSL fails.
  TestCertificate issue(const std::vector<std::string>& dns_names,
                        const std::vector<std::string>& ip_addresses) const;

 private:
  TestCertificate ca_;
};

}  // namespace feedsync::testing
