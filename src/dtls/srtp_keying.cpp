#include "dtls/srtp_keying.hpp"

#include <string>

namespace picortc::dtls {

Result<SrtpKeyingMaterial> split_keying_material(SrtpProfile profile, BytesView exported, bool is_client) {
  const size_t key_size = srtp_master_key_size(profile);
  const size_t salt_size = srtp_master_salt_size(profile);
  if (exported.size() != srtp_exported_keying_material_size(profile)) {
    return make_error(kErrKeyingMaterialSize,
                      "got " + std::to_string(exported.size()) + ", want " +
                          std::to_string(srtp_exported_keying_material_size(profile)));
  }
  ByteReader reader(exported);
  BytesView client_key, server_key, client_salt, server_salt;
  reader.read_bytes(key_size, client_key);
  reader.read_bytes(key_size, server_key);
  reader.read_bytes(salt_size, client_salt);
  reader.read_bytes(salt_size, server_salt);

  SrtpKeyingMaterial keys;
  keys.profile = profile;
  keys.local_key = (is_client ? client_key : server_key).to_vector();
  keys.local_salt = (is_client ? client_salt : server_salt).to_vector();
  keys.remote_key = (is_client ? server_key : client_key).to_vector();
  keys.remote_salt = (is_client ? server_salt : client_salt).to_vector();
  return keys;
}

}  // namespace picortc::dtls
