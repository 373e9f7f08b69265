package org.funduslens.dicom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A DICOMweb client: QIDO-RS search for studies and instances, WADO-RS retrieval of instances (multipart
 * application/dicom), and the server's rendered frame as a fallback where it cannot send the instance. Used only
 * when the user has configured a server; nothing else in FundusLens opens a network connection.
 */
public final class DicomWebClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DicomWebSettings settings;
    private final HttpClient http;

    public record StudyRef(String studyUid, String patientName, String patientId, String date, String description,
                           String modalities) {}

    public record InstanceRef(String studyUid, String seriesUid, String instanceUid, String sopClassUid, String modality,
                              Integer number) {}

    public DicomWebClient(DicomWebSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    private String base() {
        String b = settings.baseUrl();
        return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    }

    private HttpRequest.Builder request(String url, String accept) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).header("Accept", accept);
        switch (settings.auth()) {
            case BASIC -> r.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (settings.user() + ":" + settings.secret()).getBytes(StandardCharsets.UTF_8)));
            case BEARER -> r.header("Authorization", "Bearer " + settings.secret());
            default -> { }
        }
        return r;
    }

    private byte[] get(String url, String accept) throws DicomWebException {
        try {
            HttpResponse<byte[]> resp = http.send(request(url, accept).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() == 204) {
                return new byte[0];
            }
            if (resp.statusCode() / 100 != 2) {
                throw new DicomWebException(settings.baseUrl() + ": the server answered " + resp.statusCode()
                        + (resp.statusCode() == 401 || resp.statusCode() == 403 ? " (check the user name, password or token)" : "")
                        + " for " + url.substring(base().length()) + ".", resp.statusCode());
            }
            return resp.body();
        } catch (IOException e) {
            throw new DicomWebException(settings.baseUrl() + ": cannot reach the server (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ").", 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DicomWebException(settings.baseUrl() + ": the request was interrupted.", 0);
        } catch (IllegalArgumentException e) {
            throw new DicomWebException(settings.baseUrl() + ": is not a valid DICOMweb address (" + e.getMessage() + ").", 0);
        }
    }

    /** QIDO-RS study search; keys as in DICOM (PatientID, PatientName, StudyDate "from-to", ModalitiesInStudy). */
    public List<StudyRef> searchStudies(Map<String, String> query) throws DicomWebException {
        StringBuilder url = new StringBuilder(base()).append("/studies?includefield=00081030&includefield=00080061");
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (e.getValue() != null && !e.getValue().isBlank()) {
                url.append('&').append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            }
        }
        List<StudyRef> out = new ArrayList<>();
        for (JsonNode n : json(get(url.toString(), "application/dicom+json"))) {
            out.add(new StudyRef(text(n, "0020000D"), personName(n, "00100010"), text(n, "00100020"), text(n, "00080020"),
                    text(n, "00081030"), texts(n, "00080061")));
        }
        return out;
    }

    /** QIDO-RS: the instances of a study, optionally of one modality (e.g. OP). */
    public List<InstanceRef> searchInstances(String studyUid, String modality) throws DicomWebException {
        String url = base() + "/studies/" + studyUid + "/instances?includefield=00080060&includefield=00200013"
                + (modality == null || modality.isBlank() ? "" : "&00080060=" + URLEncoder.encode(modality, StandardCharsets.UTF_8));
        List<InstanceRef> out = new ArrayList<>();
        for (JsonNode n : json(get(url, "application/dicom+json"))) {
            String num = text(n, "00200013");
            out.add(new InstanceRef(studyUid, text(n, "0020000E"), text(n, "00080018"), text(n, "00080016"),
                    text(n, "00080060"), num == null ? null : (int) Double.parseDouble(num)));
        }
        return out;
    }

    /**
     * A study's instances (optionally of one modality) retrieved into {@code cacheRoot}/STUDY-UID, ready for the study
     * browser; {@code progress} hears (done, total) after each instance. Instances already there are not fetched again.
     */
    public Path retrieveStudy(String studyUid, String modality, Path cacheRoot, java.util.function.BiConsumer<Integer, Integer> progress)
            throws DicomWebException, IOException {
        Path dir = cacheRoot.resolve(safe(studyUid));
        List<InstanceRef> refs = searchInstances(studyUid, modality);
        int done = 0;
        for (InstanceRef ref : refs) {
            if (!Files.isRegularFile(dir.resolve(safe(ref.instanceUid()) + ".dcm"))) {
                retrieve(ref, dir);
            }
            progress.accept(++done, refs.size());
        }
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * WADO-RS: the instance as a Part 10 file in {@code dir}; where the server cannot send it, its first frame
     * rendered as PNG. Returns the file written.
     */
    public Path retrieve(InstanceRef ref, Path dir) throws DicomWebException, IOException {
        Files.createDirectories(dir);
        String path = base() + "/studies/" + ref.studyUid() + "/series/" + ref.seriesUid() + "/instances/" + ref.instanceUid();
        try {
            byte[] body = get(path, "multipart/related; type=\"application/dicom\"; transfer-syntax=*");
            byte[] part = firstPart(body);
            Path f = dir.resolve(safe(ref.instanceUid()) + ".dcm");
            Files.write(f, part);
            return f;
        } catch (DicomWebException e) {
            if (e.status() == 0) {
                throw e;
            }
            byte[] png = get(path + "/frames/1/rendered", "image/png");
            Path f = dir.resolve(safe(ref.instanceUid()) + ".png");
            Files.write(f, png);
            return f;
        }
    }

    private static String safe(String uid) {
        return uid.replaceAll("[^0-9.]", "_");
    }

    /** The body of the first part of a multipart/related response (or the body itself when it is not multipart). */
    static byte[] firstPart(byte[] body) {
        int lineEnd = indexOf(body, new byte[] {'\r', '\n'}, 0);
        if (body.length < 4 || body[0] != '-' || body[1] != '-' || lineEnd < 0) {
            return body;
        }
        byte[] boundary = java.util.Arrays.copyOfRange(body, 0, lineEnd);
        int headersEnd = indexOf(body, new byte[] {'\r', '\n', '\r', '\n'}, lineEnd);
        int start = headersEnd + 4;
        byte[] delimiter = new byte[boundary.length + 2];
        delimiter[0] = '\r';
        delimiter[1] = '\n';
        System.arraycopy(boundary, 0, delimiter, 2, boundary.length);
        int end = indexOf(body, delimiter, start);
        return java.util.Arrays.copyOfRange(body, start, end < 0 ? body.length : end);
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private JsonNode json(byte[] body) throws DicomWebException {
        if (body.length == 0) {
            return JSON.createArrayNode();
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (!n.isArray()) {
                throw new DicomWebException(settings.baseUrl() + ": the search answer is not a DICOM JSON array.", 0);
            }
            return n;
        } catch (IOException e) {
            throw new DicomWebException(settings.baseUrl() + ": the search answer is not DICOM JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + ").", 0);
        }
    }

    private static String text(JsonNode n, String tag) {
        JsonNode v = n.path(tag).path("Value");
        return v.isArray() && v.size() > 0 ? v.get(0).asText() : null;
    }

    private static String texts(JsonNode n, String tag) {
        JsonNode v = n.path(tag).path("Value");
        if (!v.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        v.forEach(x -> out.add(x.asText()));
        return String.join(",", out);
    }

    private static String personName(JsonNode n, String tag) {
        JsonNode v = n.path(tag).path("Value");
        return v.isArray() && v.size() > 0 ? v.get(0).path("Alphabetic").asText(null) : null;
    }

    static Map<String, String> query(String patientId, String patientName, String dates, String modality) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("PatientID", patientId);
        q.put("PatientName", patientName);
        q.put("StudyDate", dates);
        q.put("ModalitiesInStudy", modality == null ? null : modality.toUpperCase(Locale.ROOT));
        return q;
    }
}
