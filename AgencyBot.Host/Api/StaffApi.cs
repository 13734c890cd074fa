using AgencyBot.Core.Agency;
using AgencyBot.Core.Data;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Tasks;
using AgencyBot.Host.Telegram;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Api;

public sealed record CreateStaff(long? TelegramUserId, string? Name, string? Role);

internal sealed class CreateStaffValidator : AbstractValidator<CreateStaff>
{
    public static readonly string[] Roles = ["assistant", "employee", "manager"];

    public CreateStaffValidator()
    {
        RuleFor(s => s.TelegramUserId).NotNull().GreaterThan(0);
        RuleFor(s => s.Name).NotEmpty().MaximumLength(100);
        RuleFor(s => s.Role).NotEmpty().Must(r => Roles.Contains(r)).WithMessage("'Role' must be one of: assistant, employee, manager.");
    }
}

/// <summary>Any of: a new name, a new access role, active false (they left: every staff power goes at once, history
/// stays) or true (they are back).</summary>
public sealed record ChangeStaff(string? Name, string? Role, bool? Active);

internal sealed class ChangeStaffValidator : AbstractValidator<ChangeStaff>
{
    public ChangeStaffValidator()
    {
        RuleFor(s => s.Name).Must(n => n is null || n.Trim().Length is > 0 and <= 100).WithMessage("'Name' must be 1-100 characters.");
        RuleFor(s => s.Role).Must(r => r is null || CreateStaffValidator.Roles.Contains(r)).WithMessage("'Role' must be one of: assistant, employee, manager.");
        RuleFor(s => s).Must(s => s.Name is not null || s.Role is not null || s.Active is not null).WithName("body")
            .WithMessage("Give at least one of name, role, active.");
    }
}

/// <summary>A link that makes whoever opens it first staff in <see cref="Role"/>.</summary>
public sealed record CreateStaffInvite(string? Role);

internal sealed class CreateStaffInviteValidator : AbstractValidator<CreateStaffInvite>
{
    public CreateStaffInviteValidator() =>
        RuleFor(i => i.Role).NotEmpty().Must(r => CreateStaffValidator.Roles.Contains(r)).WithMessage("'Role' must be one of: assistant, employee, manager.");
}

public sealed record StaffInviteCreated(string Code, string Link, string Role, DateTimeOffset ExpiresAt);

public static class StaffApi
{
    public static void MapStaff(this RouteGroupBuilder api)
    {
        var staff = api.MapGroup("/staff");
        staff.MapGet("/", async (StaffStore store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct)));
        staff.MapGet("/{id:long}", async Task<Results<Ok<StaffMember>, ProblemHttpResult>> (long id, StaffStore store, CancellationToken ct) =>
            await store.FindAsync(id, ct) is { } member ? TypedResults.Ok(member) : Problems.NotFound($"There is no staff member {id}."));
        staff.MapPost("/", CreateAsync).AddEndpointFilter<Validated<CreateStaff>>();
        staff.MapPatch("/{id:long}", ChangeAsync).AddEndpointFilter<Validated<ChangeStaff>>();
        staff.MapPost("/invites", CreateInviteAsync).AddEndpointFilter<Validated<CreateStaffInvite>>();
        staff.MapGet("/invites", async (Database database, TimeProvider clock, CancellationToken ct) =>
        {
            await using var connection = await database.OpenAsync(ct);
            return TypedResults.Ok(await StaffInviteStore.ListAsync(connection, null, clock.GetUtcNow()));
        });
        staff.MapDelete("/invites/{code}", async Task<Results<NoContent, ProblemHttpResult>> (string code, Database database, TimeProvider clock,
            CancellationToken ct) =>
            await database.WriteAsync((c, t) => StaffInviteStore.RevokeAsync(c, t, code, clock.GetUtcNow()), ct)
                ? TypedResults.NoContent()
                : Problems.NotFound($"There is no staff link {code} that is still unused and not revoked."));
    }

    private static async Task<Results<Created<StaffInviteCreated>, ProblemHttpResult>> CreateInviteAsync(CreateStaffInvite body, Database database,
        BotIdentity bot, IOptions<AgencyOptions> agency, TimeProvider clock, CancellationToken ct)
    {
        if (await Problems.UsernameAsync(bot, ct) is not { } username) return Problems.TelegramUnreachable();
        var role = Enum.Parse<StaffRole>(body.Role!, ignoreCase: true);
        var now = clock.GetUtcNow();
        var lifetime = agency.Value.InviteLifetime;
        var code = await database.WriteAsync((c, t) => StaffInviteStore.CreateAsync(c, t, role, null, now, lifetime), ct);
        return TypedResults.Created($"/api/staff/invites/{code}", new StaffInviteCreated(code,
            AgencyBot.Core.Messaging.BotUser.Link(username, StaffInviteStore.Payload(code, owner: false)), StaffStore.RoleName(role), now + lifetime));
    }

    private static async Task<Results<Ok<StaffMember>, ProblemHttpResult>> ChangeAsync(long id, ChangeStaff body, Database database,
        StaffChanges changes, CancellationToken ct)
    {
        var role = body.Role is { } r ? Enum.Parse<StaffRole>(r, ignoreCase: true) : (StaffRole?)null;
        var change = await database.WriteAsync((c, t) => changes.ChangeAsync(c, t, id, body.Name?.Trim(), role, body.Active, actorId: null), ct);
        return change is null ? Problems.NotFound($"There is no staff member {id}.") : TypedResults.Ok(change.After);
    }

    private static async Task<Results<Created<StaffMember>, Conflict<Microsoft.AspNetCore.Mvc.ProblemDetails>>> CreateAsync(
        CreateStaff body, StaffStore store, CancellationToken ct)
    {
        var member = await store.AddAsync(body.TelegramUserId!.Value, body.Name!.Trim(), Enum.Parse<StaffRole>(body.Role!, ignoreCase: true), ct);
        return member is null
            ? TypedResults.Conflict(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = 409, Title = "Already registered",
                Detail = $"Telegram user {body.TelegramUserId} is already registered (GET /api/staff; a deactivated member comes back with PATCH /api/staff/{{id}} {{\"active\": true}}).",
            })
            : TypedResults.Created($"/api/staff/{member.Id}", member);
    }
}
