package dev.agentstream.udfs.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys tokens are verified with, each with the one algorithm it may verify: public keys from a
 * JWKS file (RSA of at least 2048 bits: RS256 unless the key's {@code alg} says otherwise; EC:
 * ES256, ES384 or ES512 by curve) and one HS256 secret per tenant from a YAML or JSON map of tenant
 * to base64 secret (at least 32 bytes). The files are read when the task opens and cached; a file
 * that changes is read again (looked at no more than once a minute), and one that then cannot be
 * read leaves the keys as they were.
 *
 * <p>Not thread-safe: one per operator instance.
 */
public final class TokenKeys {

    private static final Logger LOG = LoggerFactory.getLogger(TokenKeys.class);

    /** Shortest HMAC secret, in bytes: HS256 wants at least its output length. */
    public static final int MIN_SECRET_BYTES = 32;

    private static final int MIN_RSA_BITS = 2048;
    private static final Duration RECHECK = Duration.ofMinutes(1);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A public key with the algorithm it verifies. */
    public record PublicKey(JWK jwk, JWSAlgorithm algorithm) {}

    private final Path jwksFile;
    private final Path secretsFile;

    private List<PublicKey> publicKeys = List.of();
    private Map<String, byte[]> secrets = Map.of();
    private FileTime jwksTime;
    private FileTime secretsTime;
    private long checkedAt;

    public TokenKeys(TenantSettings settings) {
        this.jwksFile = settings.jwksFile() == null ? null : Path.of(settings.jwksFile());
        this.secretsFile = settings.secretsFile() == null ? null : Path.of(settings.secretsFile());
    }

    /**
     * Reads both files now.
     *
     * @throws IllegalStateException naming the file and the option when one cannot be used
     */
    public TokenKeys load() {
        if (jwksFile != null) {
            jwksTime = modified(jwksFile, "tenant.jwks-file");
            publicKeys = readJwks(jwksFile);
        }
        if (secretsFile != null) {
            secretsTime = modified(secretsFile, "tenant.secrets-file");
            secrets = readSecrets(secretsFile);
        }
        return this;
    }

    /** Reads a file again if it changed since it was read, at most once a {@link #RECHECK}. */
    public void refresh(long now) {
        if (now - checkedAt < RECHECK.toMillis()) {
            return;
        }
        checkedAt = now;
        try {
            if (jwksFile != null && !modified(jwksFile, "tenant.jwks-file").equals(jwksTime)) {
                FileTime time = modified(jwksFile, "tenant.jwks-file");
                publicKeys = readJwks(jwksFile);
                jwksTime = time;
                LOG.info("Read the token keys of {} again: {} keys", jwksFile, publicKeys.size());
            }
            if (secretsFile != null
                    && !modified(secretsFile, "tenant.secrets-file").equals(secretsTime)) {
                FileTime time = modified(secretsFile, "tenant.secrets-file");
                secrets = readSecrets(secretsFile);
                secretsTime = time;
                LOG.info(
                        "Read the tenant secrets of {} again: {} tenants",
                        secretsFile,
                        secrets.size());
            }
        } catch (IllegalStateException e) {
            LOG.warn("Token keys kept as they were: {}", e.getMessage());
        }
    }

    /** The public keys, in file order. */
    public List<PublicKey> publicKeys() {
        return publicKeys;
    }

    /** True when a public key has this id. */
    public boolean hasPublicKey(String kid) {
        return kid != null && publicKeys.stream().anyMatch(k -> kid.equals(k.jwk().getKeyID()));
    }

    /** The HS256 secret of {@code tenant}, if it has one. */
    public Optional<byte[]> secret(String tenant) {
        return Optional.ofNullable(tenant == null ? null : secrets.get(tenant));
    }

    /**
     * The one algorithm a JWKS key may verify: its {@code alg} when that fits the key, else the
     * usual one for its type; empty for a key that verifies nothing here (symmetric, for
     * encryption, or of a type or size not accepted).
     */
    static Optional<JWSAlgorithm> algorithmOf(JWK key) {
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            return Optional.empty();
        }
        if (key.getKeyOperations() != null
                && !key.getKeyOperations().contains(KeyOperation.VERIFY)) {
            return Optional.empty();
        }
        JWSAlgorithm declared =
                key.getAlgorithm() == null
                        ? null
                        : JWSAlgorithm.parse(key.getAlgorithm().getName());
        if (key instanceof RSAKey rsa) {
            if (rsa.size() < MIN_RSA_BITS) {
                return Optional.empty();
            }
            if (declared == null) {
                return Optional.of(JWSAlgorithm.RS256);
            }
            return JWSAlgorithm.Family.RSA.contains(declared)
                    ? Optional.of(declared)
                    : Optional.empty();
        }
        if (key instanceof ECKey ec) {
            JWSAlgorithm byCurve = ecAlgorithm(ec.getCurve());
            if (byCurve == null || (declared != null && !declared.equals(byCurve))) {
                return Optional.empty();
            }
            return Optional.of(byCurve);
        }
        return Optional.empty();
    }

    private static JWSAlgorithm ecAlgorithm(Curve curve) {
        if (Curve.P_256.equals(curve)) {
            return JWSAlgorithm.ES256;
        }
        if (Curve.P_384.equals(curve)) {
            return JWSAlgorithm.ES384;
        }
        if (Curve.P_521.equals(curve)) {
            return JWSAlgorithm.ES512;
        }
        return null;
    }

    private static List<PublicKey> readJwks(Path file) {
        JWKSet set;
        try {
            set = JWKSet.load(file.toFile());
        } catch (IOException | ParseException e) {
            throw new IllegalStateException(
                    "cannot read the JWKS file " + file + " (tenant.jwks-file): not a JWK set");
        }
        List<PublicKey> keys = new ArrayList<>();
        for (JWK jwk : set.getKeys()) {
            Optional<JWSAlgorithm> algorithm = algorithmOf(jwk);
            if (algorithm.isEmpty()) {
                LOG.warn(
                        "Key {} of {} is not used: only signing RSA (>= 2048 bits) and EC keys"
                                + " are; HS256 secrets belong in tenant.secrets-file",
                        jwk.getKeyID(),
                        file);
                continue;
            }
            keys.add(new PublicKey(jwk.toPublicJWK(), algorithm.get()));
        }
        if (keys.isEmpty()) {
            throw new IllegalStateException(
                    "the JWKS file " + file + " (tenant.jwks-file) holds no usable key");
        }
        return List.copyOf(keys);
    }

    private static Map<String, byte[]> readSecrets(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot read the tenant secrets file " + file + " (tenant.secrets-file)");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalStateException(
                    "the tenant secrets file "
                            + file
                            + " (tenant.secrets-file) must be a map of tenant to base64 secret");
        }
        Map<String, byte[]> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String tenant = entry.getKey();
            if (!TenantNames.isValid(tenant) || !entry.getValue().isTextual()) {
                throw new IllegalStateException(
                        "the tenant secrets file "
                                + file
                                + " has an entry that is not a tenant name with a base64 secret");
            }
            byte[] secret = base64(entry.getValue().asText().strip());
            if (secret == null || secret.length < MIN_SECRET_BYTES) {
                // Never the secret itself in a message.
                throw new IllegalStateException(
                        "the secret of tenant "
                                + tenant
                                + " in "
                                + file
                                + " is not base64 of at least "
                                + MIN_SECRET_BYTES
                                + " bytes");
            }
            out.put(tenant, secret);
        }
        return Map.copyOf(out);
    }

    private static byte[] base64(String text) {
        try {
            return text.indexOf('-') >= 0 || text.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(text)
                    : Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static FileTime modified(Path file, String option) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + " (" + option + ")");
        }
    }
}
