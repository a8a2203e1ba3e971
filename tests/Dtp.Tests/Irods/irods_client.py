"""Runs Debian's python3-irodsclient (the reference client) against a server for dtp's tests.

usage: /usr/bin/python3 irods_client.py COMMAND CONNECTION_JSON [ARGS...]
  login                 log in and read the home collection
  ls COLLECTION         print every data object below COLLECTION (recursively) as JSON
  get COLLECTION DEST   download COLLECTION into DEST/<name>/ as the original dtp did
  put FILE OBJECT       upload FILE as the data object OBJECT
Prints one JSON document; on an iRODS error prints {"error": <exception class>} and exits 1.
"""
import json
import os
import sys

from irods.session import iRODSSession


def open_session(connection):
    options = dict(host=connection["host"], port=connection["port"], user=connection["user"],
                   password=connection["password"], zone=connection["zone"])
    if connection.get("negotiate"):
        options.update(client_server_negotiation="request_server_negotiation",
                       client_server_policy=connection.get("policy", "CS_NEG_REFUSE"),
                       encryption_algorithm="AES-256-CBC", encryption_key_size=32,
                       encryption_num_hash_rounds=16, encryption_salt_size=8)
        if connection.get("ca_file"):
            options["ssl_ca_certificate_file"] = connection["ca_file"]
    return iRODSSession(**options)


def walk(collection):
    for data_object in collection.data_objects:
        yield {"path": data_object.path, "size": data_object.size}
    for sub in collection.subcollections:
        yield from walk(sub)


def download(session, collection, destination):
    folder = os.path.join(destination, collection.name)
    os.makedirs(folder, exist_ok=True)
    for data_object in collection.data_objects:
        session.data_objects.get(data_object.path, os.path.join(folder, data_object.name))
    for sub in collection.subcollections:
        download(session, sub, folder)


def main():
    command, connection, args = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3:]
    with open_session(connection) as session:
        try:
            if command == "login":
                home = session.collections.get("/{0}/home/{1}".format(connection["zone"], connection["user"]))
                result = {"home": home.path}
            elif command == "ls":
                result = sorted(walk(session.collections.get(args[0])), key=lambda o: o["path"])
            elif command == "get":
                download(session, session.collections.get(args[0]), args[1])
                result = {"downloaded": args[0]}
            elif command == "put":
                session.data_objects.put(args[0], args[1])
                result = {"uploaded": args[1]}
            else:
                raise SystemExit("unknown command " + command)
        except Exception as error:  # the test asserts on the exception's class name
            print(json.dumps({"error": type(error).__name__, "message": str(error)}))
            return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
