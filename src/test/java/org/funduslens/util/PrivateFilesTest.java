package org.funduslens.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A private file is the owner's alone, replaced whole, with no temporary file left behind. */
class PrivateFilesTest {
    @TempDir
    Path tmp;

    @Test
    void ownerOnlyAndReplacedWhole() throws Exception {
        Path f = tmp.resolve("keys/secret.bin");
        PrivateFiles.write(f, new byte[] {1, 2, 3});
        PrivateFiles.write(f, new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(f));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertFalse(Files.exists(tmp.resolve("keys/secret.bin.tmp")));
    }
}
