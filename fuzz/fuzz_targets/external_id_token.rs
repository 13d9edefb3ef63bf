#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sso_server::fuzzing::external_id_token(data));
