using AgencyBot.Core.Data;

namespace AgencyBot.Core.Messaging;

/// <summary>Files the outbox uploads, kept in the database so a resend after a crash still has them.</summary>
public sealed class AttachmentStore(Database database)
{
    private const string Insert = """
        INSERT INTO attachments (file_name, content_type, data, created_at) VALUES (@FileName, @ContentType, @Data, @Now) RETURNING id
        """;

    private const string Select = "SELECT file_name AS FileName, data AS Data FROM attachments WHERE id = @Id";

    public static Task<long> AddAsync(IDbConnection c, IDbTransaction t, string fileName, string contentType, byte[] data, DateTimeOffset now) =>
        c.ExecuteScalarAsync<long>(Insert, new { FileName = fileName, ContentType = contentType, Data = data, Now = now.ToUnixTimeMilliseconds() }, t);

    public async Task<(string FileName, byte[] Data)> GetAsync(long id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleAsync<(string, byte[])>(Select, new { Id = id });
    }
}
