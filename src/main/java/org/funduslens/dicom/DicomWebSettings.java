package org.funduslens.dicom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the PACS is and how to sign in. Kept in the user's config as JSON readable by the owner only (on systems with
 * POSIX permissions), because it can hold a password or token.
 */
public record DicomWebSettings(String baseUrl, Auth auth, String user, String secret) {
    public enum Auth { NONE, BASIC, BEARER }

    private static final ObjectMapper JSON = new ObjectMapper();

    public DicomWebSettings {
        auth = auth == null ? Auth.NONE : auth;
    }

    /** Where the user's DICOMweb settings live: the data folder, readable by the owner only. */
    public static Path defaultFile() {
        return org.funduslens.util.DataFolder.path().resolve("dicomweb.json");
    }

    public static DicomWebSettings none(String baseUrl) {
        return new DicomWebSettings(baseUrl, Auth.NONE, null, null);
    }

    public void save(Path file) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("base_url", baseUrl);
        o.put("auth", auth.name().toLowerCase(Locale.ROOT));
        o.put("user", user);
        o.put("secret", secret);
        org.funduslens.util.PrivateFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
    }

    public static DicomWebSettings load(Path file) throws IOException {
        var n = JSON.readTree(file.toFile());
        return new DicomWebSettings(n.path("base_url").asText(null),
                Auth.valueOf(n.path("auth").asText("none").toUpperCase(Locale.ROOT)), n.path("user").asText(null),
                n.path("secret").asText(null));
    }
}
