/*
 * MetadataProbe: what a BI tool sees of offline_store through JDBC.
 *
 * A BI tool (Metabase, DBeaver, Tableau...) lists a database's relations
 * with DatabaseMetaData.getTables, their columns with getColumns (type
 * names, java.sql.Types, REMARKS from the comments), then reads them with
 * plain SELECTs, with parameters for filters. This program does the same
 * for the schemas given, prints what it sees in a stable text form, and
 * reads each view: all rows, then rows for one key through a prepared
 * statement.
 *
 *   java -cp <dir>:/usr/share/java/postgresql.jar MetadataProbe \
 *        jdbc:postgresql://127.0.0.1:5432/db user schema[,schema...] \
 *        [view_for_key_filter key_column key_value]
 *
 * Copyright (c) 2026, offline_store developers
 */
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.JDBCType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

public class MetadataProbe
{
	public static void main(String[] args) throws Exception
	{
		String url = args[0];
		Properties props = new Properties();

		props.setProperty("user", args[1]);
		try (Connection conn = DriverManager.getConnection(url, props))
		{
			DatabaseMetaData md = conn.getMetaData();
			List<String[]> relations = new ArrayList<>();

			System.out.println("driver " + md.getDriverName());
			for (String schema : args[2].split(","))
			{
				try (ResultSet rs = md.getTables(null, schema, "%", new String[] {"TABLE", "VIEW"}))
				{
					while (rs.next())
					{
						String[] rel = {rs.getString("TABLE_SCHEM"), rs.getString("TABLE_NAME"),
										rs.getString("TABLE_TYPE"), rs.getString("REMARKS")};

						relations.add(rel);
						System.out.println(rel[2] + " " + rel[0] + "." + rel[1]
										   + (rel[3] == null ? "" : " -- " + rel[3]));
					}
				}
			}
			for (String[] rel : relations)
			{
				if (!rel[2].equals("VIEW"))
					continue;
				try (ResultSet rs = md.getColumns(null, rel[0], rel[1], "%"))
				{
					while (rs.next())
					{
						String remarks = rs.getString("REMARKS");

						System.out.println("  COLUMN " + rel[0] + "." + rel[1] + "." + rs.getString("COLUMN_NAME")
										   + " " + rs.getString("TYPE_NAME")
										   + " " + JDBCType.valueOf(rs.getInt("DATA_TYPE")).getName()
										   + (remarks == null ? "" : " -- " + remarks));
					}
				}
				read(conn, "SELECT * FROM " + quote(rel[0]) + "." + quote(rel[1]) + " ORDER BY 1, 2",
					 rel[0] + "." + rel[1]);
			}
			if (args.length >= 6)
			{
				try (PreparedStatement ps = conn.prepareStatement(
						 "SELECT * FROM " + args[3] + " WHERE " + quote(args[4]) + " = ?"))
				{
					ps.setLong(1, Long.parseLong(args[5]));
					try (ResultSet rs = ps.executeQuery())
					{
						print(rs, args[3] + " WHERE " + args[4] + " = " + args[5]);
					}
				}
			}
		}
	}

	/* a double-quoted identifier */
	static String quote(String name)
	{
		return "\"" + name.replace("\"", "\"\"") + "\"";
	}

	static void read(Connection conn, String sql, String what) throws Exception
	{
		try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql))
		{
			print(rs, what);
		}
	}

	/* the result's columns (label, type, Java class), then its rows */
	static void print(ResultSet rs, String what) throws Exception
	{
		ResultSetMetaData rmd = rs.getMetaData();
		StringBuilder cols = new StringBuilder();

		for (int i = 1; i <= rmd.getColumnCount(); i++)
			cols.append(i > 1 ? ", " : "").append(rmd.getColumnLabel(i)).append(" ")
				.append(rmd.getColumnTypeName(i)).append(" ").append(rmd.getColumnClassName(i));
		System.out.println("  READ " + what + ": " + cols);
		while (rs.next())
		{
			StringBuilder row = new StringBuilder();

			for (int i = 1; i <= rmd.getColumnCount(); i++)
				row.append(i > 1 ? " | " : "").append(rs.getString(i));
			System.out.println("    " + row);
		}
	}
}
