using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.Commons.Sheepdog;
using Dtp.Commons.Storage;
using Dtp.Gen3.Dictionary;
using GraphQL;
using GraphQL.SystemTextJson;
using GraphQL.Types;
using GraphQL.Validation.Errors;
using GraphQLParser.Exceptions;
using Microsoft.AspNetCore.Http;

namespace Dtp.Commons.Peregrine;

/// <summary>peregrine's routes: <c>POST /api/v0/submission/graphql</c> (queries, filtered by the caller's read grants) and <c>GET .../getschema</c>.</summary>
internal sealed class PeregrineApi(Gen3Dictionary dictionary, CommonsStore store, UserDirectory users, SheepdogApi sheepdog)
{
    public const string GraphqlPath = SheepdogApi.Prefix + "/graphql";
    public const string SchemaPath = SheepdogApi.Prefix + "/getschema";

    private const string IntrospectionQuery = """
        query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name }
          types { ...FullType } directives { name description locations args { ...InputValue } } } }
        fragment FullType on __Type { kind name description
          fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
          inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
          possibleTypes { ...TypeRef } }
        fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
        fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
        """;

    private readonly Lazy<ISchema> schema = new(() => PeregrineSchema.Create(dictionary));
    private readonly DocumentExecuter executer = new();
    private readonly GraphQLSerializer serializer = new();
    private byte[]? introspection;

    /// <summary>Answers a GraphQL query: 200 <c>{"data": ...}</c>, or 400 with <c>errors</c> as a list of strings.</summary>
    public async Task QueryAsync(HttpContext context)
    {
        var principal = await sheepdog.AuthenticateAsync(context, "Authentication Error: no authorization header provided").ConfigureAwait(false);
        if (principal is null)
        {
            return;
        }

        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body is not JsonObject request || request["query"] is not JsonValue queryValue || !queryValue.TryGetValue<string>(out var query))
        {
            await Http.JsonAsync(context, 400, Errors(null, "The query must be a string")).ConfigureAwait(false);
            return;
        }

        Inputs? variables;
        try
        {
            variables = request["variables"] switch
            {
                null => null,
                JsonValue text when text.TryGetValue<string>(out var json) => serializer.Deserialize<Inputs>(json),
                JsonObject map => serializer.Deserialize<Inputs>(map.ToJsonString()),
                _ => throw new JsonException("variables must be an object or a JSON string"),
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            await Http.JsonAsync(context, 400, Errors(null, "Unable to parse variables", ex.Message)).ConfigureAwait(false);
            return;
        }

        var user = principal.User;
        var readable = user.IsAdmin ? null : users.Grants(user.Id).Where(g => g.Read).ToList();
        using var connection = store.Open();
        var result = await ExecuteAsync(query, variables, new QueryContext(dictionary, connection, readable), context.RequestAborted).ConfigureAwait(false);
        if (result.Errors is { Count: > 0 })
        {
            await Http.JsonAsync(context, 400, ErrorBody(result, query)).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await serializer.WriteAsync(context.Response.Body, result, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Answers the schema's introspection (no authentication, computed once).</summary>
    public async Task SchemaAsync(HttpContext context)
    {
        if (introspection is null)
        {
            using var connection = store.Open();
            var result = await ExecuteAsync(IntrospectionQuery, null, new QueryContext(dictionary, connection, []), context.RequestAborted).ConfigureAwait(false);
            introspection = Encoding.UTF8.GetBytes(serializer.Serialize(result));
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(introspection, context.RequestAborted).ConfigureAwait(false);
    }

    private Task<ExecutionResult> ExecuteAsync(string query, Inputs? variables, QueryContext userContext, CancellationToken cancellationToken) =>
        executer.ExecuteAsync(options =>
        {
            options.Schema = schema.Value;
            options.Query = query;
            options.Variables = variables;
            options.UserContext = userContext;
            options.CancellationToken = cancellationToken;
            options.ThrowOnUnhandledException = false;
        });

    /// <summary>peregrine's error body: the partial data (or null) and the errors as plain strings.</summary>
    private JsonObject ErrorBody(ExecutionResult result, string query)
    {
        var data = JsonNode.Parse(serializer.Serialize(new ExecutionResult(result) { Errors = null }))?["data"]?.DeepClone();
        return Errors(data, [.. result.Errors!.Select(e => Message(e, query))]);
    }

    /// <summary>An error's text the way peregrine (graphql-core) words the common cases.</summary>
    private static string Message(ExecutionError error, string query) => error switch
    {
        FieldsOnCorrectTypeError when error.Message.Split('\'') is [_, var field, _, var type, ..] => $"Cannot query field \"{field}\" on type \"{type}\".",
        { InnerException: GraphQLSyntaxErrorException syntax, Locations: [var at, ..] } => SyntaxMessage(syntax.Description, at.Line, at.Column, query),
        _ => error.Message,
    };

    /// <summary>graphql-core's syntax error text: position, description, then the offending line (with its neighbours) and a caret.</summary>
    private static string SyntaxMessage(string description, int line, int column, string query)
    {
        var lines = query.Split('\n');
        var width = (line + 1).ToString(CultureInfo.InvariantCulture).Length;
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Syntax Error GraphQL ({line}:{column}) {description.Split(';')[0]}\n\n");
        if (line >= 2)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(line - 1).ToString(CultureInfo.InvariantCulture).PadLeft(width)}: {lines[line - 2]}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"{line.ToString(CultureInfo.InvariantCulture).PadLeft(width)}: {lines[line - 1]}\n")
            .Append(' ', 1 + width + column).Append("^\n");
        if (line < lines.Length)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(line + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width)}: {lines[line]}\n");
        }

        return text.ToString();
    }

    private static JsonObject Errors(JsonNode? data, params string[] messages) =>
        new() { ["data"] = data, ["errors"] = new JsonArray([.. messages.Select(m => (JsonNode?)m)]) };
}
