namespace Dtp.Storage.Irods;

/// <summary>iRODS error codes that callers may want to tell apart (from iRODS's <c>rodsErrorTable.h</c>).</summary>
public static class IrodsErrors
{
    /// <summary>SYS_INTERNAL_ERR: an unexpected server-side failure.</summary>
    public const int SysInternalErr = -154000;

    /// <summary>SYS_UNMATCHED_API_NUM: the server does not know the API number.</summary>
    public const int SysUnmatchedApiNum = -12000;

    /// <summary>SYS_API_INPUT_ERR: the request body was missing, unexpected or malformed.</summary>
    public const int SysApiInputErr = -14000;

    /// <summary>USER_FILE_DOES_NOT_EXIST: no data object or collection at the path.</summary>
    public const int UserFileDoesNotExist = -310000;

    /// <summary>USER_CHKSUM_MISMATCH: a checksum did not match the data.</summary>
    public const int UserChksumMismatch = -314000;

    /// <summary>OBJ_PATH_DOES_NOT_EXIST: a path does not exist.</summary>
    public const int ObjPathDoesNotExist = -358000;

    /// <summary>CAT_NO_ROWS_FOUND: a query matched nothing.</summary>
    public const int CatNoRowsFound = -808000;

    /// <summary>CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME: the name is taken.</summary>
    public const int CatalogAlreadyHasItemByThatName = -809000;

    /// <summary>CAT_UNKNOWN_COLLECTION: no such collection.</summary>
    public const int CatUnknownCollection = -814000;

    /// <summary>CAT_UNKNOWN_FILE: no such data object.</summary>
    public const int CatUnknownFile = -817000;

    /// <summary>CAT_COLLECTION_NOT_EMPTY: a non-recursive removal met a non-empty collection.</summary>
    public const int CatCollectionNotEmpty = -821000;

    /// <summary>CAT_INVALID_AUTHENTICATION: the password (or challenge response) was wrong.</summary>
    public const int CatInvalidAuthentication = -826000;

    /// <summary>CAT_INVALID_USER: the user does not exist in the zone.</summary>
    public const int CatInvalidUser = -827000;

    /// <summary>PAM_AUTH_NOT_BUILT_INTO_SERVER: the server has no PAM authentication.</summary>
    public const int PamAuthNotBuiltIntoServer = -992000;

    /// <summary>PAM_AUTH_PASSWORD_FAILED: PAM refused the password.</summary>
    public const int PamAuthPasswordFailed = -993000;

    /// <summary>CLIENT_NEGOTIATION_ERROR: the client's TLS policy and the server's cannot agree.</summary>
    public const int ClientNegotiationError = -1824000;

    /// <summary>SERVER_NEGOTIATION_ERROR: the server refused the negotiated connection.</summary>
    public const int ServerNegotiationError = -1825000;

    private static readonly Dictionary<int, string> Names = new()
    {
        [-4000] = "SYS_HEADER_READ_LEN_ERR",
        [-6000] = "SYS_HEADER_TYPE_LEN_ERR",
        [SysUnmatchedApiNum] = "SYS_UNMATCHED_API_NUM",
        [-13000] = "SYS_NO_API_PRIV",
        [SysApiInputErr] = "SYS_API_INPUT_ERR",
        [-19000] = "SYS_FILE_DESC_OUT_OF_RANGE",
        [-23000] = "SYS_BAD_FILE_DESCRIPTOR",
        [-38000] = "SYS_AGENT_INIT_ERR",
        [-66000] = "SYS_NOT_SUPPORTED",
        [-130000] = "SYS_INVALID_INPUT_PARAM",
        [SysInternalErr] = "SYS_INTERNAL_ERR",
        [-168000] = "SYS_REPLICA_INACCESSIBLE",
        [-178000] = "AUTHENTICATION_ERROR",
        [-300000] = "USER_AUTH_SCHEME_ERR",
        [-308000] = "USER_PACKSTRUCT_INPUT_ERR",
        [UserFileDoesNotExist] = "USER_FILE_DOES_NOT_EXIST",
        [-312000] = "OVERWRITE_WITHOUT_FORCE_FLAG",
        [-313000] = "UNMATCHED_KEY_OR_INDEX",
        [UserChksumMismatch] = "USER_CHKSUM_MISMATCH",
        [-317000] = "USER_INPUT_PATH_ERR",
        [ObjPathDoesNotExist] = "OBJ_PATH_DOES_NOT_EXIST",
        [CatNoRowsFound] = "CAT_NO_ROWS_FOUND",
        [CatalogAlreadyHasItemByThatName] = "CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME",
        [CatUnknownCollection] = "CAT_UNKNOWN_COLLECTION",
        [CatUnknownFile] = "CAT_UNKNOWN_FILE",
        [-818000] = "CAT_NO_ACCESS_PERMISSION",
        [CatCollectionNotEmpty] = "CAT_COLLECTION_NOT_EMPTY",
        [CatInvalidAuthentication] = "CAT_INVALID_AUTHENTICATION",
        [CatInvalidUser] = "CAT_INVALID_USER",
        [-833000] = "CAT_NAME_EXISTS_AS_COLLECTION",
        [-834000] = "CAT_NAME_EXISTS_AS_DATAOBJ",
        [-840000] = "CAT_PASSWORD_EXPIRED",
        [PamAuthNotBuiltIntoServer] = "PAM_AUTH_NOT_BUILT_INTO_SERVER",
        [PamAuthPasswordFailed] = "PAM_AUTH_PASSWORD_FAILED",
        [-1803000] = "HIERARCHY_ERROR",
        [ClientNegotiationError] = "CLIENT_NEGOTIATION_ERROR",
        [ServerNegotiationError] = "SERVER_NEGOTIATION_ERROR",
    };

    /// <summary>Strips the errno iRODS may append to a code: -310002 becomes -310000.</summary>
    /// <param name="code">A code as the server sent it.</param>
    /// <returns>The base code.</returns>
    public static int BaseCode(int code) => code / 1000 * 1000;

    /// <summary>Returns the symbolic name of a code (its errno part ignored), or an empty string when unknown.</summary>
    /// <param name="code">A code as the server sent it.</param>
    /// <returns>The name, such as <c>CAT_NO_ROWS_FOUND</c>.</returns>
    public static string NameOf(int code) => Names.GetValueOrDefault(BaseCode(code), string.Empty);
}
