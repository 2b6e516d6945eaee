package dev.odin.ws.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for one control plane: it signs the API server's serving certificate and the
 * client certificates of the admin and the controller manager (X.509 client authentication, as a kubeadm cluster).
 */
final class CertificateAuthority {
  private static final Duration VALIDITY = Duration.ofDays(2);
  private final AtomicLong serial = new AtomicLong(1);
  private final KeyPair keys;
  private final X509Certificate certificate;

  /** A certificate and its private key, as PEM text. */
  record Issued(String certificatePem, String privateKeyPem) {
    void write(Path certificate, Path key) {
      try {
        Files.writeString(certificate, certificatePem);
        Files.writeString(key, privateKeyPem);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  CertificateAuthority(String commonName) {
    this.keys = rsaKeyPair();
    X500Name name = name(commonName, null);
    this.certificate = sign(name, keys.getPublic(), builder -> {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
    }, name);
  }

  String certificatePem() {
    return pem("CERTIFICATE", encoded(certificate));
  }

  /** The CA's own key, for the controller manager's CSR signer. */
  String privateKeyPem() {
    return privateKeyPem(keys.getPrivate());
  }

  /** A serving certificate for the given DNS names and IP addresses. */
  Issued server(String commonName, List<String> dnsNames, List<String> ipAddresses) {
    KeyPair leaf = rsaKeyPair();
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    X509Certificate cert = sign(name(commonName, null), leaf.getPublic(), builder -> {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      builder.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
    }, issuer());
    return new Issued(pem("CERTIFICATE", encoded(cert)), privateKeyPem(leaf.getPrivate()));
  }

  /** A client certificate: the API server reads the user from CN and the groups from O. */
  Issued client(String user, String group) {
    KeyPair leaf = rsaKeyPair();
    X509Certificate cert = sign(name(user, group), leaf.getPublic(), builder -> {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    }, issuer());
    return new Issued(pem("CERTIFICATE", encoded(cert)), privateKeyPem(leaf.getPrivate()));
  }

  /** A key pair for signing service-account tokens: the private key and the public key, as PEM. */
  static Issued serviceAccountKeys() {
    KeyPair pair = rsaKeyPair();
    return new Issued(publicKeyPem(pair.getPublic()), privateKeyPem(pair.getPrivate()));
  }

  private X500Name issuer() {
    return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
  }

  private interface Extensions {
    void add(X509v3CertificateBuilder builder) throws IOException;
  }

  private X509Certificate sign(X500Name subject, PublicKey key, Extensions extensions, X500Name issuer) {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
        BigInteger.valueOf(serial.getAndIncrement()), Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(VALIDITY)), subject, key);
    try {
      extensions.add(builder);
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a certificate for " + subject, e);
    }
  }

  private static X500Name name(String commonName, String organization) {
    X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
    if (organization != null) {
      builder.addRDN(BCStyle.O, organization);
    }
    return builder.addRDN(BCStyle.CN, commonName).build();
  }

  private static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String privateKeyPem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded()); // PKCS#8, which Go's TLS and fabric8 both read
  }

  private static String publicKeyPem(PublicKey key) {
    return pem("PUBLIC KEY", key.getEncoded());
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
