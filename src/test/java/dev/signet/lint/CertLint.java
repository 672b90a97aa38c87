package dev.signet.lint;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.signet.pki.Pem;
import dev.signet.testing.TestTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Lints certificates with zlint ({@code SIGNET_ZLINT}, {@code .ci/tools/zlint.sh}) and DigiCert's
 * pkilint ({@code SIGNET_PKILINT}, {@code .ci/tools/pkilint.sh}: its RFC 5280 linters
 * {@code lint_pkix_cert} and {@code lint_pkix_signer_signee_cert_chain}).
 *
 * <p>A finding fails when it is a warning or worse from an RFC-level rule: every zlint source
 * but the Web PKI ones ({@link #WEB_PKI_SOURCES}), and every pkilint PKIX finding but the
 * three tool limitations of {@link #waived}. Findings of the Web PKI sources are kept apart
 * ({@link Result#webPki()}) to be printed, never to fail: docs/compatibility.md says why each
 * family does not apply to a private mesh CA.
 */
public final class CertLint {
  /**
   * zlint sources for publicly trusted TLS, S/MIME, code signing and EU qualified certificates,
   * not a private mesh CA. Community lints (key quality, name syntax) do apply and can fail.
   */
  public static final Set<String> WEB_PKI_SOURCES = Set.of("CABF_BR", "CABF_CS_BR", "CABF_EV",
      "CABF_SMIME_BR", "Chrome", "Apple", "Mozilla", "ETSI_ESI");
  private static final Set<String> FAILING_ZLINT = Set.of("warn", "error", "fatal");
  private static final Set<String> FAILING_PKILINT = Set.of("WARNING", "ERROR", "FATAL");

  /** One finding: which tool, the lint's name or code, its level, and the tool's detail. */
  public record Finding(String tool, String code, String level, String detail) {
    @Override
    public String toString() {
      return tool + " " + code + " (" + level + ")" + (detail.isEmpty() ? "" : ": " + detail);
    }
  }

  /** What failed, what was waived with a reason, and what only Web PKI rules say. */
  public record Result(List<Finding> failing, List<Finding> waived, List<Finding> webPki) {}

  private final Path zlint;
  private final Path pkilint;
  private final Path chainLint;
  private final Path work;
  private final Map<String, String> zlintSources = new HashMap<>();
  private int files;

  private CertLint(Path zlint, Path pkilint, Path work) throws IOException {
    this.zlint = zlint;
    this.pkilint = pkilint;
    this.chainLint = pkilint.resolveSibling("lint_pkix_signer_signee_cert_chain");
    this.work = work;
    for (String line : run(List.of(zlint.toString(), "-list-lints-json")).split("\n")) {
      if (!line.isBlank()) {
        JsonObject lint = JsonParser.parseString(line).getAsJsonObject();
        zlintSources.put(lint.get("name").getAsString(), lint.get("source").getAsString());
      }
    }
  }

  /** The linters, found by their variables; {@code work} holds the files they read. */
  public static CertLint require(Path work) throws IOException {
    return new CertLint(TestTools.require("SIGNET_ZLINT", "zlint.sh"),
        TestTools.require("SIGNET_PKILINT", "pkilint.sh"), work);
  }

  /** zlint (every source) and pkilint's {@code lint_pkix_cert} on {@code cert}. */
  public Result lint(X509Certificate cert) throws IOException {
    Path file = write(cert);
    List<Finding> failing = new ArrayList<>();
    List<Finding> waived = new ArrayList<>();
    List<Finding> webPki = new ArrayList<>();
    JsonObject zlintOut = JsonParser.parseString(run(List.of(zlint.toString(), file.toString())))
        .getAsJsonObject();
    for (Map.Entry<String, JsonElement> e : zlintOut.entrySet()) {
      JsonObject r = e.getValue().getAsJsonObject();
      String level = r.get("result").getAsString();
      String detail = r.has("details") ? r.get("details").getAsString() : "";
      String source = zlintSources.getOrDefault(e.getKey(), "unknown");
      Finding f = new Finding("zlint[" + source + "]", e.getKey(), level, detail);
      if (WEB_PKI_SOURCES.contains(source)) {
        if (!Set.of("pass", "NA", "NE").contains(level)) {
          webPki.add(f);
        }
      } else if (FAILING_ZLINT.contains(level)) {
        failing.add(f);
      }
    }
    pkilint(List.of(pkilint.toString(), "lint", "-s", "WARNING", "-f", "JSON", file.toString()),
        failing, waived);
    return new Result(failing, waived, webPki);
  }

  /** pkilint's issuer/subject linter (names, key identifiers, validity) on one link. */
  public List<Finding> lintLink(X509Certificate issuer, X509Certificate subject)
      throws IOException {
    List<Finding> failing = new ArrayList<>();
    pkilint(List.of(chainLint.toString(), "lint", "-s", "WARNING", "-f", "JSON",
        write(issuer).toString(), write(subject).toString()), failing, new ArrayList<>());
    return failing;
  }

  private void pkilint(List<String> command, List<Finding> failing, List<Finding> waived)
      throws IOException {
    JsonObject out = JsonParser.parseString(run(command)).getAsJsonObject();
    for (JsonElement result : out.getAsJsonArray("results")) {
      for (JsonElement d : result.getAsJsonObject().getAsJsonArray("finding_descriptions")) {
        JsonObject finding = d.getAsJsonObject();
        String level = finding.get("severity").getAsString();
        String detail = finding.get("message").isJsonNull() ? ""
            : finding.get("message").getAsString();
        Finding f = new Finding("pkilint", finding.get("code").getAsString(), level, detail);
        if (!FAILING_PKILINT.contains(level)) {
          continue;
        }
        (waived(f) ? waived : failing).add(f);
      }
    }
  }

  /**
   * pkilint's false positives on Signet's names, each checked another way instead, and its
   * limit on OID arcs ({@link #largeArcInProofTime}).
   * {@code pkix.invalid_uri_syntax} on a spiffe:// URI: pkilint checks URIs with the Python
   * {@code validators.url}, which accepts only web schemes (http, https, ftp...), so it refuses
   * every SPIFFE ID; {@link SvidRules} checks the URI against the SPIFFE ID grammar instead.
   * {@code pkix.invalid_domain_name_syntax} on {@code localhost}: {@code validators.domain}
   * wants two labels, while RFC 1034's preferred name syntax, which RFC 5280 4.2.1.6 asks for,
   * allows one; only dev mode adds localhost to the serving certificate.
   */
  static boolean waived(Finding f) {
    return largeArcInProofTime(f) || (f.code().equals("pkix.invalid_uri_syntax")
        && f.detail().startsWith("Invalid URI syntax: \"spiffe://"))
        || (f.code().equals("pkix.invalid_domain_name_syntax")
        && f.detail().equals("Invalid domain name syntax: \"localhost\""));
  }

  /**
   * pkilint's DER decoder (pyasn1-fasder) takes OID arcs of at most 32 bits, and the proof-time
   * attribute type of a renewal leaf ({@code dev.signet.pki.ProofTime}) is a UUID OID under
   * 2.25 (ITU-T X.667), a 128-bit arc. X.690 and RFC 5280 put no limit on arcs (RFC 5280
   * appendix B asks for at least 28 bits), and the attribute sits inside SubjectDirectoryAttributes
   * precisely so that decoders which refuse such OIDs as extension types (Go's) never see it as
   * one; zlint decodes the same certificate without a finding, and the rest of the renewal leaf
   * is the token leaf that pkilint passes in full.
   */
  private static boolean largeArcInProofTime(Finding f) {
    return f.code().equals("itu.invalid_asn1_syntax")
        && f.detail().contains("with schema \"SubjectDirectoryAttributes\"")
        && f.detail().contains("OID contains arc which is larger than 32-bits");
  }

  private Path write(X509Certificate cert) throws IOException {
    Path file = work.resolve("cert-" + (files++) + ".pem");
    try {
      Files.writeString(file, Pem.encode("CERTIFICATE", cert.getEncoded()));
    } catch (CertificateEncodingException e) {
      throw new IOException(e);
    }
    return file;
  }

  /** Runs a linter, returns its standard output; its exit status is its finding count. */
  private String run(List<String> command) throws IOException {
    Path out = work.resolve("out-" + (files++) + ".txt");
    Path err = work.resolve("err-" + files + ".txt");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(command + " did not finish within 120 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    if (stdout.isBlank()) {
      throw new IOException(command + " printed nothing (exit " + p.exitValue() + "): "
          + Files.readString(err, StandardCharsets.UTF_8));
    }
    return stdout;
  }
}
