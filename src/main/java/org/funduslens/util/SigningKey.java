package org.funduslens.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * This installation's Ed25519 signing key (the JDK's own implementation), kept in the data folder with owner-only
 * permissions and made on first use. Study packages and site results are signed with it; the public key travels
 * inside what it signs and its fingerprint is what people compare by telephone or e-mail.
 */
public final class SigningKey {
    private static final String PRIVATE = "signing-key.pk8";
    private static final String PUBLIC = "signing-key.pub";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    public static SigningKey loadOrCreate(Path dir) throws IOException {
        Path priv = dir.resolve(PRIVATE);
        Path pub = dir.resolve(PUBLIC);
        try {
            KeyFactory kf = KeyFactory.getInstance("Ed25519");
            if (Files.isRegularFile(priv) && Files.isRegularFile(pub)) {
                return new SigningKey(kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv))),
                        kf.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub))));
            }
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            PrivateFiles.write(priv, pair.getPrivate().getEncoded());
            Files.write(pub, pair.getPublic().getEncoded());
            return new SigningKey(pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IOException(priv + ": the signing key cannot be read (" + e.getMessage() + ").", e);
        }
    }

    public byte[] sign(byte[] data) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    public String fingerprint() {
        return fingerprint(publicKeyBase64());
    }

    /** The first 16 hex digits of SHA-256 of the encoded public key, in groups of four. */
    public static String fingerprint(String publicKeyBase64) {
        String h = Hashing.sha256(Base64.getDecoder().decode(publicKeyBase64)).substring(0, 16);
        return h.substring(0, 4) + "-" + h.substring(4, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16);
    }

    /** Whether {@code signature} is the Ed25519 signature of {@code data} by the key given; false for any malformed input. */
    public static boolean verify(String publicKeyBase64, byte[] data, byte[] signature) {
        try {
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(
                    new X509EncodedKeySpec(Base64.getDecoder().decode(publicKeyBase64)));
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
