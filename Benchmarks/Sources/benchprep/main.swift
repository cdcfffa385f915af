import Gateway
print("stub")
