// Runs Neo4j 5.26 Community as an embedded DBMS with the Bolt connector on loopback.
//
//   java -cp "$(cat cp.txt)" Launcher.java DATA_DIR PORT [PAGECACHE_MB]
//
// Auth is off unless the environment gives TUPU_NEO4J_PASSWORD: then auth is on and the user
// neo4j gets that password (set in-process on the system database; never on the command line,
// where other users of the machine could read it).
//
// Prints "TUPU_NEO4J_READY bolt://127.0.0.1:PORT" once the DBMS is up, and shuts it down cleanly
// on SIGTERM / SIGINT (the shutdown hook). Started and stopped by `tupu neo4j start|stop`.
import java.nio.file.Path;
import java.util.Map;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

public class Launcher {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Launcher DATA_DIR PORT [PAGECACHE_MB]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        long pageCacheMb = args.length > 2 ? Long.parseLong(args[2]) : 256;

        String password = System.getenv("TUPU_NEO4J_PASSWORD");
        boolean auth = password != null && !password.isEmpty();

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .build();
        if (auth) {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $p CHANGE NOT REQUIRED", Map.of("p", password));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "tupu-neo4j-shutdown"));
        System.out.println("TUPU_NEO4J_READY bolt://127.0.0.1:" + port);
        System.out.flush();
        Thread.currentThread().join(); // keep serving until signalled
    }
}
