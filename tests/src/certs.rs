//! Test certificates, made fresh by every test process (no key is ever checked in).
//!
//! [`TestPki`] holds a private CA with a server certificate for `localhost` / `127.0.0.1` and
//! client certificates in every shape a user may have: an EC key as PKCS#8 and as SEC1, an RSA
//! key as PKCS#1, and a leaf issued by an intermediate CA (a certificate chain). It also holds
//! the bad cases: a server certificate that expired, and a CA (with a client certificate) that
//! no server trusts. Certificates and EC keys come from `rcgen`; the RSA key comes from the
//! `openssl` command (ring, rcgen's backend here, cannot generate RSA keys).
//!
//! [`TestPki::write_to`] writes everything as PEM files; [`shared_pki`] does both once per
//! test process, under `.tmp/tests/` of the workspace.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use crate::paths::workspace_root;
use crate::HarnessError;

/// A certificate (or chain) and its private key, PEM-encoded.
#[derive(Clone)]
pub struct CertKey {
    /// The certificate, followed by its intermediate CA certificates for a chain.
    pub cert_pem: String,
    /// The private key (PKCS#8 unless the field's docs say otherwise).
    pub key_pem: String,
}

impl fmt::Debug for CertKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertKey")
            .field("cert_pem_len", &self.cert_pem.len())
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

/// A private CA and the certificates the TLS tests need.
#[derive(Clone, Debug)]
pub struct TestPki {
    /// The CA servers and clients trust (`ca.pem`).
    pub ca_pem: String,
    /// Server certificate for `localhost` and `127.0.0.1`, EKU serverAuth (`server.pem`,
    /// `server.key`).
    pub server: CertKey,
    /// Like `server`, but valid only in 2020 (`server-expired.pem`, `server-expired.key`).
    pub server_expired: CertKey,
    /// Client certificate, EC P-256 key as PKCS#8 (`client.pem`, `client.key`).
    pub client: CertKey,
    /// The same client certificate with its key as SEC1, `EC PRIVATE KEY`
    /// (`client-sec1.key`).
    pub client_sec1_key_pem: String,
    /// Client certificate with an RSA-2048 key as PKCS#1, `RSA PRIVATE KEY`
    /// (`client-rsa.pem`, `client-rsa.key`).
    pub client_rsa_pkcs1: CertKey,
    /// Client leaf issued by an intermediate CA, the PEM holding leaf then intermediate
    /// (`client-chain.pem`, `client-chain.key`). Servers trust only the root.
    pub client_chain: CertKey,
    /// A CA nobody trusts (`rogue-ca.pem`).
    pub rogue_ca_pem: String,
    /// A client certificate issued by the rogue CA (`rogue-client.pem`, `rogue-client.key`).
    pub rogue_client: CertKey,
}

/// The file names [`TestPki::write_to`] uses, for building paths.
pub mod files {
    /// The trusted CA.
    pub const CA: &str = "ca.pem";
    /// Server certificate.
    pub const SERVER_CERT: &str = "server.pem";
    /// Server key.
    pub const SERVER_KEY: &str = "server.key";
    /// Expired server certificate.
    pub const SERVER_EXPIRED_CERT: &str = "server-expired.pem";
    /// Its key.
    pub const SERVER_EXPIRED_KEY: &str = "server-expired.key";
    /// Client certificate.
    pub const CLIENT_CERT: &str = "client.pem";
    /// Client key, PKCS#8.
    pub const CLIENT_KEY: &str = "client.key";
    /// Client key, SEC1.
    pub const CLIENT_SEC1_KEY: &str = "client-sec1.key";
    /// RSA client certificate.
    pub const CLIENT_RSA_CERT: &str = "client-rsa.pem";
    /// RSA client key, PKCS#1.
    pub const CLIENT_RSA_KEY: &str = "client-rsa.key";
    /// Client chain: leaf, then intermediate.
    pub const CLIENT_CHAIN_CERT: &str = "client-chain.pem";
    /// Key of the chain's leaf.
    pub const CLIENT_CHAIN_KEY: &str = "client-chain.key";
    /// The untrusted CA.
    pub const ROGUE_CA: &str = "rogue-ca.pem";
    /// Client certificate from the untrusted CA.
    pub const ROGUE_CLIENT_CERT: &str = "rogue-client.pem";
    /// Its key.
    pub const ROGUE_CLIENT_KEY: &str = "rogue-client.key";
}

fn rcgen_error(what: &str) -> impl Fn(rcgen::Error) -> HarnessError + '_ {
    move |e| HarnessError::new(format!("cannot make the test {what}: {e}"))
}

fn ca(name: &str, path_len: Option<u8>) -> Result<(CertificateParams, KeyPair), HarnessError> {
    let key = KeyPair::generate().map_err(rcgen_error("CA key"))?;
    let mut params =
        CertificateParams::new(Vec::<String>::new()).map_err(rcgen_error("CA params"))?;
    params.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.distinguished_name.push(DnType::CommonName, name);
    Ok((params, key))
}

fn leaf_params(
    names: &[&str],
    common_name: &str,
    usage: ExtendedKeyUsagePurpose,
) -> Result<CertificateParams, HarnessError> {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).map_err(rcgen_error("leaf params"))?;
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![usage];
    Ok(params)
}

fn leaf(
    params: &CertificateParams,
    issuer: &Issuer<'_, KeyPair>,
    key: KeyPair,
) -> Result<CertKey, HarnessError> {
    let cert = params
        .signed_by(&key, issuer)
        .map_err(rcgen_error("certificate"))?;
    Ok(CertKey {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

impl TestPki {
    /// Make every certificate and key. Takes well under a second, plus one `openssl`
    /// run for the RSA key.
    pub fn generate() -> Result<TestPki, HarnessError> {
        let (ca_params, ca_key) = ca("temporal-lite test CA", None)?;
        let ca_pem = ca_params
            .self_signed(&ca_key)
            .map_err(rcgen_error("CA"))?
            .pem();
        let root = Issuer::new(ca_params, ca_key);

        let server_params = leaf_params(
            &["localhost", "127.0.0.1"],
            "localhost",
            ExtendedKeyUsagePurpose::ServerAuth,
        )?;
        let server = leaf(&server_params, &root, new_key()?)?;

        let mut expired_params = server_params.clone();
        expired_params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        expired_params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        let server_expired = leaf(&expired_params, &root, new_key()?)?;

        let client_params = leaf_params(
            &["client.temporal-lite.test"],
            "temporal-lite test client",
            ExtendedKeyUsagePurpose::ClientAuth,
        )?;
        let client = leaf(&client_params, &root, new_key()?)?;
        let client_sec1_key_pem = pem_encode(
            "EC PRIVATE KEY",
            &pkcs8_inner_key(&pem_decode(&client.key_pem)?)?,
        );

        let rsa_pkcs8 = openssl_rsa_pkcs8()?;
        let rsa_key = KeyPair::from_pem(&rsa_pkcs8).map_err(rcgen_error("RSA key pair"))?;
        let mut rsa = leaf(&client_params, &root, rsa_key)?;
        rsa.key_pem = pem_encode(
            "RSA PRIVATE KEY",
            &pkcs8_inner_key(&pem_decode(&rsa_pkcs8)?)?,
        );

        let (intermediate_params, intermediate_key) =
            ca("temporal-lite test intermediate", Some(0))?;
        let intermediate_pem = intermediate_params
            .signed_by(&intermediate_key, &root)
            .map_err(rcgen_error("intermediate CA"))?
            .pem();
        let intermediate = Issuer::new(intermediate_params, intermediate_key);
        let mut client_chain = leaf(&client_params, &intermediate, new_key()?)?;
        client_chain.cert_pem.push_str(&intermediate_pem);

        let (rogue_params, rogue_key) = ca("temporal-lite rogue CA", None)?;
        let rogue_ca_pem = rogue_params
            .self_signed(&rogue_key)
            .map_err(rcgen_error("rogue CA"))?
            .pem();
        let rogue = Issuer::new(rogue_params, rogue_key);
        let rogue_client = leaf(&client_params, &rogue, new_key()?)?;

        Ok(TestPki {
            ca_pem,
            server,
            server_expired,
            client,
            client_sec1_key_pem,
            client_rsa_pkcs1: rsa,
            client_chain,
            rogue_ca_pem,
            rogue_client,
        })
    }

    /// Write every certificate and key into `dir` (created if needed) under the names in
    /// [`files`]; keys are written with mode 0600.
    pub fn write_to(&self, dir: &Path) -> Result<(), HarnessError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| HarnessError::new(format!("cannot create {}: {e}", dir.display())))?;
        let entries: [(&str, &str); 15] = [
            (files::CA, &self.ca_pem),
            (files::SERVER_CERT, &self.server.cert_pem),
            (files::SERVER_KEY, &self.server.key_pem),
            (files::SERVER_EXPIRED_CERT, &self.server_expired.cert_pem),
            (files::SERVER_EXPIRED_KEY, &self.server_expired.key_pem),
            (files::CLIENT_CERT, &self.client.cert_pem),
            (files::CLIENT_KEY, &self.client.key_pem),
            (files::CLIENT_SEC1_KEY, &self.client_sec1_key_pem),
            (files::CLIENT_RSA_CERT, &self.client_rsa_pkcs1.cert_pem),
            (files::CLIENT_RSA_KEY, &self.client_rsa_pkcs1.key_pem),
            (files::CLIENT_CHAIN_CERT, &self.client_chain.cert_pem),
            (files::CLIENT_CHAIN_KEY, &self.client_chain.key_pem),
            (files::ROGUE_CA, &self.rogue_ca_pem),
            (files::ROGUE_CLIENT_CERT, &self.rogue_client.cert_pem),
            (files::ROGUE_CLIENT_KEY, &self.rogue_client.key_pem),
        ];
        for (name, text) in entries {
            let path = dir.join(name);
            std::fs::write(&path, text)
                .map_err(|e| HarnessError::new(format!("cannot write {}: {e}", path.display())))?;
            if name.ends_with(".key") {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
            }
        }
        Ok(())
    }
}

/// A certificate set written to disk.
#[derive(Debug)]
pub struct PkiFiles {
    /// The certificates and keys.
    pub pki: TestPki,
    /// The folder holding the files named in [`files`].
    pub dir: PathBuf,
}

impl PkiFiles {
    /// The path of `name` (one of [`files`]) in this set's folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// The certificates shared by every test of this test binary, made and written on first use
/// to `.tmp/tests/pki-PID/` of the workspace. Panics if they cannot be made.
pub fn shared_pki() -> &'static PkiFiles {
    static PKI: OnceLock<Result<PkiFiles, HarnessError>> = OnceLock::new();
    let made = PKI.get_or_init(|| {
        let dir = scratch_dir(&format!("pki-{}", std::process::id()))?;
        let pki = TestPki::generate()?;
        pki.write_to(&dir)?;
        Ok(PkiFiles { pki, dir })
    });
    match made {
        Ok(files) => files,
        Err(e) => panic!("{e}"),
    }
}

/// `.tmp/tests/NAME` in the workspace, created empty. Folders left there by test processes
/// that are gone (named `*-PID` or `*-PID-N`) are removed first.
pub(crate) fn scratch_dir(name: &str) -> Result<PathBuf, HarnessError> {
    let base = workspace_root().join(".tmp").join("tests");
    remove_stale(&base);
    let dir = base.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .map_err(|e| HarnessError::new(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

/// Remove folders of `base` whose name carries the PID of a process that no longer runs.
fn remove_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .split('-')
            .filter_map(|part| part.parse::<u32>().ok())
            .next();
        if let Some(pid) = pid {
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

fn new_key() -> Result<KeyPair, HarnessError> {
    KeyPair::generate().map_err(rcgen_error("key"))
}

/// A fresh RSA-2048 key, PKCS#8 PEM, from `openssl genpkey`.
fn openssl_rsa_pkcs8() -> Result<String, HarnessError> {
    let output = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            HarnessError::new(format!(
                "cannot run `openssl` to make a test RSA key ({e}); install it with \
                 `bash scripts/setup.sh` (Debian package openssl)"
            ))
        })?;
    if !output.status.success() {
        return Err(HarnessError::new(format!(
            "`openssl genpkey` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| HarnessError::new("`openssl genpkey` printed non-UTF-8 output"))
}

/// The DER bytes of the first PEM block of `pem`.
fn pem_decode(pem: &str) -> Result<Vec<u8>, HarnessError> {
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    crate::base64::decode(body.trim())
        .ok_or_else(|| HarnessError::new("invalid base64 in a test PEM"))
}

/// `der` as a PEM block labelled `label`.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let text = crate::base64::encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in text.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

/// The `privateKey` OCTET STRING of a PKCS#8 `PrivateKeyInfo`: the PKCS#1 `RSAPrivateKey` or
/// the SEC1 `ECPrivateKey` it wraps.
fn pkcs8_inner_key(der: &[u8]) -> Result<Vec<u8>, HarnessError> {
    let bad = || HarnessError::new("unexpected PKCS#8 structure in a test key");
    let (tag, info, _) = der_item(der).ok_or_else(bad)?;
    if tag != 0x30 {
        return Err(bad());
    }
    let (version_tag, _, rest) = der_item(info).ok_or_else(bad)?;
    let (algorithm_tag, _, rest) = der_item(rest).ok_or_else(bad)?;
    let (key_tag, key, _) = der_item(rest).ok_or_else(bad)?;
    if version_tag != 0x02 || algorithm_tag != 0x30 || key_tag != 0x04 {
        return Err(bad());
    }
    Ok(key.to_vec())
}

/// One DER item: (tag, contents, the bytes after it).
fn der_item(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let mut len = 0usize;
        for &b in &rest[..count] {
            len = (len << 8) | usize::from(b);
        }
        rest = &rest[count..];
        len
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}
