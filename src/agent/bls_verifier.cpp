#include "agent/bls_verifier.h"

#ifdef HUBCTL_HAVE_BLS
#include "bls/bls.h"
#endif

namespace agent {

bool bls_available() {
#ifdef HUBCTL_HAVE_BLS
  return true;
#else
  return false;
#endif
}

BlsVerifier default_bls_verifier() {
#ifdef HUBCTL_HAVE_BLS
  return [](ic::ByteView sig, ic::ByteView msg, ic::ByteView der_key) -> ic::Status {
    IC_TRY(bls::PublicKey key, bls::PublicKeyCache::global().get_der(der_key));
    return bls::check_signature(sig, msg, key);
  };
#else
  return [](ic::ByteView, ic::ByteView, ic::ByteView) -> ic::Status {
    return ic::make_error(ic::Errc::unsupported, "BLS signature verification is not part of this build",
                          "build hubctl with src/bls");
  };
#endif
}

}  // namespace agent
