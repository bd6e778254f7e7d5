package io.polygate.tls;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.jetty.util.Scanner;

/**
 * The watch on a TLS setting's PEM files: a Jetty {@link Scanner} that looks every
 * {@value #SCAN_SECONDS} s and reports a file once it stopped changing for one look, so that a
 * certificate and key being written are read when both are done. Files there at start are not
 * reported. Add the scanner as a bean of what owns the certificates: it runs while that runs.
 */
final class CertificateFileWatch {
    static final int SCAN_SECONDS = 1;

    private CertificateFileWatch() {}

    /** @param onChange called on the scanner's thread with the files that changed */
    static Scanner of(List<Path> files, Consumer<Set<String>> onChange) {
        Scanner scanner = new Scanner();
        scanner.setScanInterval(SCAN_SECONDS);
        scanner.setReportExistingFilesOnStartup(false);
        for (Path f : files) scanner.addFile(f);
        scanner.addListener(new Scanner.BulkListener() {
            @Override
            public void filesChanged(Set<String> changed) { onChange.accept(changed); }
        });
        return scanner;
    }
}
