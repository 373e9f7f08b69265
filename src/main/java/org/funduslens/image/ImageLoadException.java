package org.funduslens.image;

import java.nio.file.Path;

/** An image that cannot be used; the message is one sentence that names the file. */
public final class ImageLoadException extends Exception {
    private final Path file;

    public ImageLoadException(Path file, String problem) {
        super(file.getFileName() + ": " + problem);
        this.file = file;
    }

    public ImageLoadException(Path file, String problem, Throwable cause) {
        super(file.getFileName() + ": " + problem, cause);
        this.file = file;
    }

    public Path file() { return file; }
}
