// SHA-256 (through OpenSSL's libcrypto), the content hash of vunify.
#pragma once

#include <vserver/syscall.hpp> // SysError

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace vserver {

using Sha256Digest = std::array<std::uint8_t, 32>;

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void update(const void *data, std::size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    // The digest of everything given since construction or the last
    // finish(); starts over.
    Sha256Digest finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

Sha256Digest sha256(std::string_view data);

// The digest of what read() returns on fd until end of file.  Throws
// SysError ("cannot read: ...").
Sha256Digest sha256_fd(int fd);

// 64 lower-case hexadecimal digits, as sha256sum prints.
std::string to_hex(const Sha256Digest &digest);

} // namespace vserver
