using System.Text.Json;
using System.Text.Json.Serialization;
using AgencyBot.Core.Data;

namespace AgencyBot.Core.Tasks;

public sealed record StoredTemplate(long Id, Template Body);

/// <summary>Task templates, kept as JSON.</summary>
public sealed partial class TemplateStore(Database database, TimeProvider clock)
{
    /// <summary>A template as it is kept, and as a template file is written (metadata generated at build time).</summary>
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(Template))]
    public sealed partial class TemplateJson : JsonSerializerContext;

    private const string Insert = """
        INSERT INTO templates (name, body, created_at, updated_at) VALUES (@Name, @Body, @Now, @Now)
        ON CONFLICT (name) DO NOTHING
        RETURNING id
        """;

    private const string Update = """
        UPDATE templates SET name = @Name, body = @Body, updated_at = @Now
        WHERE id = @Id AND NOT EXISTS (SELECT 1 FROM templates WHERE name = @Name AND id <> @Id)
        """;

    private const string Delete = "DELETE FROM templates WHERE id = @Id";

    private const string SelectAll = "SELECT id, body FROM templates ORDER BY name";

    private const string SelectOne = "SELECT id, body FROM templates WHERE id = @Id";

    /// <summary>Null when a template with that name exists.</summary>
    public async Task<StoredTemplate?> AddAsync(Template template, CancellationToken ct = default)
    {
        var id = await database.WriteAsync((c, t) => c.ExecuteScalarAsync<long?>(Insert,
            new { template.Name, Body = JsonSerializer.Serialize(template, TemplateJson.Default.Template), Now = clock.GetUtcNow().ToUnixTimeMilliseconds() }, t), ct);
        return id is null ? null : new StoredTemplate(id.Value, template);
    }

    /// <summary>False when there is no such template or another one has the new name.</summary>
    public Task<bool> UpdateAsync(long id, Template template, CancellationToken ct = default) =>
        database.WriteAsync(async (c, t) => await c.ExecuteAsync(Update,
            new { Id = id, template.Name, Body = JsonSerializer.Serialize(template, TemplateJson.Default.Template), Now = clock.GetUtcNow().ToUnixTimeMilliseconds() }, t) == 1, ct);

    public Task<bool> DeleteAsync(long id, CancellationToken ct = default) =>
        database.WriteAsync(async (c, t) => await c.ExecuteAsync(Delete, new { Id = id }, t) == 1, ct);

    public async Task<IReadOnlyList<StoredTemplate>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await ListAsync(connection, null);
    }

    public static async Task<IReadOnlyList<StoredTemplate>> ListAsync(IDbConnection c, IDbTransaction? t) =>
        (await c.QueryAsync<(long Id, string Body)>(SelectAll, transaction: t)).Select(Read).ToList();

    public async Task<StoredTemplate?> FindAsync(long id, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await FindAsync(connection, null, id);
    }

    public static async Task<StoredTemplate?> FindAsync(IDbConnection c, IDbTransaction? t, long id)
    {
        var row = await c.QuerySingleOrDefaultAsync<(long Id, string Body)?>(SelectOne, new { Id = id }, t);
        return row is { } r ? Read(r) : null;
    }

    private const string SelectByName = "SELECT id, body FROM templates WHERE LOWER(name) = LOWER(@Name)";

    /// <summary>The template with this name (any case): an import names templates, it does not number them.</summary>
    public static async Task<StoredTemplate?> FindByNameAsync(IDbConnection c, IDbTransaction? t, string name)
    {
        var row = await c.QuerySingleOrDefaultAsync<(long Id, string Body)?>(SelectByName, new { Name = name }, t);
        return row is { } r ? Read(r) : null;
    }

    private static StoredTemplate Read((long Id, string Body) row) => new(row.Id, JsonSerializer.Deserialize(row.Body, TemplateJson.Default.Template)!);
}
