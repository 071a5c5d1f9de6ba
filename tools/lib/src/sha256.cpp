#include <vserver/sha256.hpp>
#include <vserver/syscall.hpp>

#include <cerrno>
#include <new>
#include <openssl/evp.h>
#include <unistd.h>
#include <vector>

namespace vserver {

struct Sha256::Impl {
    EVP_MD_CTX *ctx = nullptr;
};

namespace {

void init(EVP_MD_CTX *ctx) {
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1)
        throw std::bad_alloc();
}

} // namespace

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
    impl_->ctx = EVP_MD_CTX_new();
    if (!impl_->ctx)
        throw std::bad_alloc();
    init(impl_->ctx);
}

Sha256::~Sha256() { EVP_MD_CTX_free(impl_->ctx); }

void Sha256::update(const void *data, std::size_t size) {
    if (size && EVP_DigestUpdate(impl_->ctx, data, size) != 1)
        throw std::bad_alloc();
}

Sha256Digest Sha256::finish() {
    Sha256Digest digest{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(impl_->ctx, digest.data(), &len) != 1 || len != digest.size())
        throw std::bad_alloc();
    init(impl_->ctx);
    return digest;
}

Sha256Digest sha256(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.finish();
}

Sha256Digest sha256_fd(int fd) {
    Sha256 h;
    std::vector<char> buf(256 * 1024);
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw SysError(errno, "cannot read");
        }
        if (n == 0)
            break;
        h.update(buf.data(), static_cast<std::size_t>(n));
    }
    return h.finish();
}

std::string to_hex(const Sha256Digest &digest) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * digest.size());
    for (auto b : digest) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

} // namespace vserver
