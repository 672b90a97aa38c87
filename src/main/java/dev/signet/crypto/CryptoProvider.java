package dev.signet.crypto;

import static java.util.Objects.requireNonNull;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import dev.signet.config.SignetConfig.ProviderChoice;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.Provider;
import java.security.Signature;
import java.util.logging.Logger;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The JCA provider Signet signs and verifies with. {@code auto} takes the native provider
 * (Amazon Corretto Crypto Provider, AWS-LC) where the platform has it, and Bouncy Castle
 * otherwise. Algorithms the chosen provider lacks fall back to Bouncy Castle.
 */
public final class CryptoProvider {
  private static final Logger LOG = Logger.getLogger(CryptoProvider.class.getName());
  private static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();

  private final Provider provider;

  private CryptoProvider(Provider provider) {
    this.provider = requireNonNull(provider, "provider");
  }

  /** Selects the provider for a configured choice and logs which one is in use. */
  public static CryptoProvider select(ProviderChoice choice) {
    Provider p = switch (choice) {
      case AUTO -> nativeProvider() != null ? nativeProvider() : BOUNCY_CASTLE;
      case NATIVE -> {
        Provider n = nativeProvider();
        if (n == null) {
          throw new IllegalStateException("crypto.provider=native, but the native provider "
              + "does not load on this platform: " + nativeLoadingError());
        }
        yield n;
      }
      case BOUNCYCASTLE -> BOUNCY_CASTLE;
      case JDK -> jdkDefault();
    };
    CryptoProvider selected = new CryptoProvider(p);
    LOG.info(() -> "crypto provider: " + selected.describe());
    return selected;
  }

  /** The Bouncy Castle provider, for parsing and fallbacks. */
  public static Provider bouncyCastle() {
    return BOUNCY_CASTLE;
  }

  /** A human-readable name and version, as logged at start. */
  public String describe() {
    return provider.getName() + " " + provider.getVersionStr();
  }

  /** The provider itself. */
  public Provider provider() {
    return provider;
  }

  /** A new {@link Signature} for a JCA algorithm name, from this provider or Bouncy Castle. */
  public Signature signature(String algorithm) throws GeneralSecurityException {
    try {
      return Signature.getInstance(algorithm, provider);
    } catch (GeneralSecurityException e) {
      return Signature.getInstance(algorithm, BOUNCY_CASTLE);
    }
  }

  /** A new {@link KeyFactory} for "EC" or "RSA". */
  public KeyFactory keyFactory(String algorithm) throws GeneralSecurityException {
    try {
      return KeyFactory.getInstance(algorithm, provider);
    } catch (GeneralSecurityException e) {
      return KeyFactory.getInstance(algorithm, BOUNCY_CASTLE);
    }
  }

  /**
   * The same private key as an object of this provider, so signing neither translates it per
   * use nor fails on a provider that refuses foreign key classes (the JDK's refuses Bouncy
   * Castle's EC keys). The transient PKCS#8 copy is wiped.
   */
  public PrivateKey adopt(PrivateKey key) throws GeneralSecurityException {
    String algorithm = key.getAlgorithm().equals("ECDSA") ? "EC" : key.getAlgorithm();
    byte[] pkcs8 = key.getEncoded();
    try {
      return keyFactory(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } finally {
      java.util.Arrays.fill(pkcs8, (byte) 0);
    }
  }

  /** A new {@link KeyPairGenerator} for "EC" or "RSA". */
  public KeyPairGenerator keyPairGenerator(String algorithm) throws GeneralSecurityException {
    try {
      return KeyPairGenerator.getInstance(algorithm, provider);
    } catch (GeneralSecurityException e) {
      return KeyPairGenerator.getInstance(algorithm, BOUNCY_CASTLE);
    }
  }

  private static Provider jdkDefault() {
    try {
      return Signature.getInstance("SHA256withECDSA").getProvider();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no SHA256withECDSA", e);
    }
  }

  private static Provider nativeProvider() {
    return NativeHolder.PROVIDER;
  }

  private static String nativeLoadingError() {
    Throwable t = AmazonCorrettoCryptoProvider.INSTANCE.getLoadingError();
    return t == null ? "unhealthy" : t.getMessage();
  }

  /** Loaded lazily: the native library is touched only when asked for. */
  private static final class NativeHolder {
    static final Provider PROVIDER = load();

    private static Provider load() {
      try {
        AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
        if (accp.getLoadingError() != null) {
          return null;
        }
        accp.assertHealthy();
        return accp;
      } catch (RuntimeException | LinkageError e) {
        return null;
      }
    }
  }
}
