package dev.signet.vault;

import dev.signet.ca.CaFiles;
import dev.signet.ca.CaFiles.InvalidCaException;
import dev.signet.ca.LocalKeySigner;
import dev.signet.ca.SigningAuthority;
import dev.signet.config.SignetConfig;
import dev.signet.config.SignetConfig.Pki;
import dev.signet.crypto.CryptoProvider;
import dev.signet.error.SignetException;
import dev.signet.pki.Pem;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * {@code vault-pki}: Signet generates its own P-256 signing key in memory (never written, logged
 * or sent) and asks the mesh intermediate in Vault's PKI engine to sign it
 * ({@code <mount>/root/sign-intermediate}, pathLen 0). When {@code renew-remaining} of the
 * certificate's life is left, a new key and certificate replace it; the old one stays valid for
 * the certificates it signed, and requests in flight finish with it, so none fails. While Vault
 * is unreachable, renewal is retried and the current key keeps signing until its certificate
 * expires.
 */
public final class PkiCaSource extends PollingCaSource {
  private static final Duration MAX_CHECK = Duration.ofHours(1);

  private final VaultClient client;
  private final SignetConfig.Vault config;
  private final Pki pki;
  private final CryptoProvider crypto;
  private volatile Instant renewAt;

  private PkiCaSource(VaultClient client, SignetConfig.Vault config, CryptoProvider crypto,
      VaultMetrics metrics, Clock clock, Consumer<SigningAuthority> onChange) {
    super(metrics, clock, onChange, "signet-ca-pki");
    this.client = client;
    this.config = config;
    this.pki = config.pki();
    this.crypto = crypto;
  }

  /** Obtains a signing certificate now (failing start-up when Vault refuses) and renews it. */
  public static PkiCaSource open(VaultClient client, SignetConfig.Vault config,
      CryptoProvider crypto, VaultMetrics metrics, Clock clock,
      Consumer<SigningAuthority> onChange) throws InvalidCaException {
    Pki pki = config.pki();
    PkiCaSource s = new PkiCaSource(client, config, crypto, metrics, clock, onChange);
    SigningAuthority initial = s.issue();
    Duration every = pki.ttl().dividedBy(20);
    every = every.compareTo(MAX_CHECK) > 0 ? MAX_CHECK : every;
    s.start(initial, every.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : every,
        "vault-pki");
    return s;
  }

  @Override
  protected SigningAuthority check(SigningAuthority current) throws InvalidCaException {
    if (clock.instant().isBefore(renewAt)) {
      return null;
    }
    return issue();
  }

  @Override
  protected Duration nextCheck() {
    Duration untilRenewal = Duration.between(clock.instant(), renewAt);
    Duration base = super.nextCheck();
    return untilRenewal.compareTo(base) < 0 && !untilRenewal.isNegative() ? untilRenewal : base;
  }

  /** A signing certificate from the mesh intermediate, for a fresh key or the Transit key. */
  private SigningAuthority issue() throws InvalidCaException {
    KeyPair keys = null;
    TransitKey transit = null;
    String csr;
    if (pki.keySource() == SignetConfig.PkiKey.TRANSIT) {
      transit = TransitKey.latest(client, config.transit().mount(), pki.transitKey());
      csr = transit.csr(client);
    } else {
      keys = newKey();
      csr = csr(keys);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("csr", csr);
    body.put("common_name", pki.commonName());
    body.put("ttl", pki.ttl().toSeconds() + "s");
    body.put("max_path_length", 0);
    body.put("exclude_cn_from_sans", Boolean.TRUE);
    body.put("format", "pem");
    String path = pki.mount() + "/root/sign-intermediate";
    JsonObject data = client.write("pki sign-intermediate", path, body).get("data").asObject();
    StringBuilder chain = new StringBuilder(data.getString("certificate", ""));
    JsonValue caChain = data.get("ca_chain");
    if (caChain != null && caChain.isArray()) {
      caChain.asArray().forEach(c -> chain.append('\n').append(c.asString()));
    } else {
      chain.append('\n').append(data.getString("issuing_ca", ""));
    }
    CaFiles.Texts texts = VaultTexts.fromChain("Vault PKI " + path, chain.toString());
    SigningAuthority a;
    if (transit != null) {
      PublicKey key = transit.publicKey();
      SignetConfig.Transit t = config.transit();
      TransitBatcher batcher = new TransitBatcher(client, metrics, t.mount(), pki.transitKey(),
          TransitSigner.parameters(key, transit.version()), t.batchWindow(), t.maxBatch(),
          t.maxQueued());
      TransitSigner signer = new TransitSigner(key, transit.version(), batcher, maxWait(),
          crypto);
      try {
        a = CaFiles.loadWithSigner(texts, signer, key);
      } catch (InvalidCaException | RuntimeException e) {
        signer.close();
        throw e;
      }
    } else {
      a = CaFiles.loadWithSigner(texts,
          new LocalKeySigner(keys.getPrivate(), keys.getPublic(), crypto), keys.getPublic());
    }
    // Vault backdates NotBefore (30 s by default): measure the life from now, not from it.
    Instant notBefore = a.certificate().getNotBefore().toInstant();
    Instant issued = clock.instant();
    Duration life = Duration.between(notBefore.isAfter(issued) ? notBefore : issued, a.notAfter());
    renewAt = a.notAfter().minusMillis((long) (life.toMillis() * pki.renewRemaining()));
    return a;
  }

  private KeyPair newKey() {
    try {
      KeyPairGenerator g = crypto.keyPairGenerator("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw SignetException.internal("cannot generate a P-256 key", e);
    }
  }

  private String csr(KeyPair keys) {
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.CN, pki.commonName()).build();
    try {
      byte[] der = new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
          .getEncoded();
      return Pem.encode("CERTIFICATE REQUEST", der);
    } catch (OperatorCreationException | java.io.IOException e) {
      throw SignetException.internal("cannot build the signing certificate's CSR", e);
    }
  }

  private Duration maxWait() {
    return config.timeout().multipliedBy(config.maxRetries() + 1L).plusSeconds(1)
        .plus(config.transit().batchWindow());
  }

  @Override
  protected void retired(SigningAuthority old) {
    if (old.signer() instanceof TransitSigner s) {
      // Requests that read the old authority may still wait on its batcher.
      later(s::close, maxWait().multipliedBy(2));
    }
  }

  @Override
  public void close() {
    super.close();
    SigningAuthority a = currentOrNull();
    if (a != null && a.signer() instanceof TransitSigner s) {
      s.close();
    }
  }

  /** When the current signing certificate will be replaced. */
  public Instant renewAt() {
    return renewAt;
  }

  @Override
  public String describe() {
    return "vault-pki(" + client.address() + ", " + pki.mount() + "/root/sign-intermediate)";
  }
}
